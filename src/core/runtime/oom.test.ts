import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { oomKills, parseOomKills } from './oom.js';

describe('oom kills', () => {
  it('reads oom_kill from memory.events and memory.oom_control', () => {
    assert.equal(parseOomKills('low 0\nhigh 0\nmax 12\noom 3\noom_kill 2\n'), 2);
    assert.equal(parseOomKills('oom_kill_disable 0\nunder_oom 0\noom_kill 1\n'), 1);
    assert.equal(parseOomKills('oom_kill_disable 0\nunder_oom 0\n'), 0);
  });

  it('finds the v2 file, else the v1 one, and counts a missing cgroup as 0', async () => {
    const root = await mkdtemp(join(tmpdir(), 'berth-oom-'));
    try {
      await mkdir(join(root, 'memory/berth/a'), { recursive: true });
      await writeFile(join(root, 'memory/berth/a/memory.oom_control'), 'oom_kill 4\n');
      await mkdir(join(root, 'berth/b'), { recursive: true });
      await writeFile(join(root, 'berth/b/memory.events'), 'oom 1\noom_kill 1\n');
      assert.equal(await oomKills('/berth/a', root), 4);
      assert.equal(await oomKills('/berth/b', root), 1);
      assert.equal(await oomKills('/berth/none', root), 0);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
