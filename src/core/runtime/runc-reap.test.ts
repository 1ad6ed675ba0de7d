import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { reapExited } from './runc-reap.js';

// Plain directories stand in for the cgroup hierarchies: rmdir treats both alike, and a
// directory with something in it fails as a busy cgroup does.
describe('reapExited', () => {
  const base = mkdtempSync(join(tmpdir(), 'berth-reap-'));
  after(() => rmSync(base, { recursive: true, force: true }));
  let n = 0;

  function setUp(edit: (state: Record<string, unknown>) => void = () => undefined): {
    root: string;
    cgroups: string;
    id: string;
    paths: string[];
  } {
    n += 1;
    const id = String(n).repeat(64).slice(0, 64);
    const root = join(base, `runc-${n}`);
    const cgroups = join(base, `cgroup-${n}`);
    const paths = ['memory', 'pids', 'unified'].map((c) => join(cgroups, c, 'berth', id));
    for (const p of paths) mkdirSync(p, { recursive: true });
    const state: Record<string, unknown> = {
      id,
      cgroup_paths: { memory: paths[0], pids: paths[1], '': paths[2] },
      config: {
        namespaces: [
          { type: 'NEWNS', path: '' },
          { type: 'NEWPID', path: '' },
        ],
        Hooks: { poststop: null, prestart: null },
      },
    };
    edit(state);
    mkdirSync(join(root, id), { recursive: true });
    writeFileSync(join(root, id, 'state.json'), JSON.stringify(state));
    return { root, cgroups, id, paths };
  }

  it('removes the cgroups and the state dir of an exited container', async () => {
    const { root, cgroups, id, paths } = setUp();
    assert.equal(await reapExited(root, id, cgroups), 'reaped');
    for (const p of paths) assert.equal(existsSync(p), false, p);
    assert.equal(existsSync(join(root, id)), false);
    // The parents are shared with other containers and stay.
    assert.equal(existsSync(join(cgroups, 'memory', 'berth')), true);
  });

  it('is done when runc has no record, or a cgroup is already gone', async () => {
    const { root, cgroups, id, paths } = setUp();
    rmSync(paths[1] as string, { recursive: true });
    assert.equal(await reapExited(root, id, cgroups), 'reaped');
    assert.equal(await reapExited(root, id, cgroups), 'reaped');
  });

  it('leaves a busy cgroup, and the state, to runc', async () => {
    const { root, cgroups, id, paths } = setUp();
    mkdirSync(join(paths[0] as string, 'nested'));
    assert.equal(await reapExited(root, id, cgroups), 'ask-runc');
    assert.equal(existsSync(join(root, id, 'state.json')), true);
  });

  it('leaves hooks, a shared pid namespace and foreign cgroup paths to runc', async () => {
    const hooks = setUp((s) => {
      (s['config'] as { Hooks: unknown }).Hooks = { poststop: [{ path: '/bin/true' }] };
    });
    assert.equal(await reapExited(hooks.root, hooks.id, hooks.cgroups), 'ask-runc');
    const sharedPid = setUp((s) => {
      (s['config'] as { namespaces: unknown }).namespaces = [
        { type: 'NEWPID', path: '/proc/1/ns/pid' },
      ];
    });
    assert.equal(await reapExited(sharedPid.root, sharedPid.id, sharedPid.cgroups), 'ask-runc');
    const foreign = setUp((s) => {
      s['cgroup_paths'] = { memory: join(base, 'elsewhere') };
    });
    assert.equal(await reapExited(foreign.root, foreign.id, foreign.cgroups), 'ask-runc');
    const climbing = setUp((s) => {
      s['cgroup_paths'] = { memory: `${join(base, `cgroup-${n}`)}/../x/${String(s['id'])}` };
    });
    assert.equal(await reapExited(climbing.root, climbing.id, climbing.cgroups), 'ask-runc');
    for (const s of [hooks, sharedPid, foreign]) {
      assert.equal(existsSync(join(s.root, s.id, 'state.json')), true);
      for (const p of s.paths) assert.equal(existsSync(p), true);
    }
  });

  it('leaves a state file it cannot read to runc', async () => {
    const { root, cgroups, id, paths } = setUp();
    writeFileSync(join(root, id, 'state.json'), '{"cgroup_paths": ');
    assert.equal(await reapExited(root, id, cgroups), 'ask-runc');
    for (const p of paths) assert.equal(existsSync(p), true);
  });
});
