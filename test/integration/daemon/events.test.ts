// Events end to end: a daemon reload (SIGHUP) emits a daemon event, streamed live and kept in
// the history for since/until queries, with filters.
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import type { EventMessage } from '../../../src/types/docker/system.js';
import { berth, docker, startDaemon, waitFor, type TestDaemon } from '../../helpers/daemon.js';

describe('events', () => {
  let d: TestDaemon;
  before(async () => {
    d = await startDaemon({ config: { 'log-level': 'info' } });
  });
  after(async () => {
    await d?.cleanup();
  });

  it('a SIGHUP reload applies the new log level and emits a daemon reload event, live', async () => {
    const controller = new AbortController();
    const seen: EventMessage[] = [];
    const reading = (async () => {
      for await (const e of d.client.events({ filters: { type: ['daemon'] } }, controller.signal)) {
        seen.push(e);
        if (e.Action === 'reload') break;
      }
    })();
    await waitFor('the subscription', async () => (await d.client.info()).NEventsListener === 1);
    await writeFile(d.configFile, JSON.stringify({ 'log-level': 'debug' }));
    d.process.kill('SIGHUP');
    await Promise.race([
      reading,
      new Promise((_, reject) => setTimeout(() => reject(new Error('no reload event')), 10_000)),
    ]);
    controller.abort();
    const reload = seen.find((e) => e.Action === 'reload');
    assert.ok(reload);
    assert.equal(reload.Type, 'daemon');
    assert.equal(reload.scope, 'local');
    assert.equal(reload.Actor.Attributes['log-level'], 'debug');
    assert.equal(reload.Actor.ID, (await d.client.info()).ID);
    assert.equal(reload.status, undefined, 'daemon events carry no legacy fields');
    assert.equal(Math.floor(reload.timeNano / 1e9), reload.time);
    assert.equal((await d.client.info()).Debug, true);
  });

  it('keeps the history for since/until and filters it', async () => {
    const all: EventMessage[] = [];
    for await (const e of d.client.events({
      since: '0',
      until: String(Math.ceil(Date.now() / 1000)),
    }))
      all.push(e);
    assert.ok(all.some((e) => e.Type === 'daemon' && e.Action === 'reload'));
    const none: EventMessage[] = [];
    for await (const e of d.client.events({
      since: '0',
      until: String(Math.ceil(Date.now() / 1000)),
      filters: { type: ['container'] },
    }))
      none.push(e);
    assert.deepEqual(none, []);
    const byEvent: EventMessage[] = [];
    for await (const e of d.client.events({
      since: '0',
      until: String(Math.ceil(Date.now() / 1000)),
      filters: { event: ['reload'], daemon: [all[0]?.Actor.ID ?? ''] },
    }))
      byEvent.push(e);
    assert.equal(byEvent.length, all.length);
    const future: EventMessage[] = [];
    for await (const e of d.client.events({
      since: String(Math.ceil(Date.now() / 1000) + 3600),
      until: String(Math.ceil(Date.now() / 1000)),
    }))
      future.push(e);
    assert.deepEqual(future, []);
  });

  it('the Docker CLI and berth render the history', async () => {
    const viaDocker = await docker(d.host, [
      'events',
      '--since',
      '10m',
      '--until',
      '0s',
      '--filter',
      'type=daemon',
    ]);
    assert.equal(viaDocker.code, 0, viaDocker.stderr);
    assert.match(
      viaDocker.stdout,
      /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z daemon reload [\w-]+ \(.*log-level=debug.*\)$/m,
    );
    const viaBerth = await berth([
      '-H',
      d.host,
      'events',
      '--since',
      '10m',
      '--until',
      '0s',
      '--filter',
      'type=daemon',
    ]);
    assert.equal(viaBerth.code, 0, viaBerth.stderr);
    const line = (s: string): string => s.split('\n')[0] ?? '';
    assert.equal(
      line(viaBerth.stdout).replace(/^\S+ /, ''),
      line(viaDocker.stdout).replace(/^\S+ /, ''),
    );
    const json = await berth([
      '-H',
      d.host,
      'events',
      '--since',
      '10m',
      '--until',
      '0s',
      '--format',
      '{{json .}}',
    ]);
    assert.equal((JSON.parse(line(json.stdout)) as EventMessage).Type, 'daemon');
  });

  it('an unreadable daemon.json on reload is logged and changes nothing', async () => {
    await writeFile(d.configFile, '{"log-level": ');
    d.process.kill('SIGHUP');
    await waitFor('the reload error', async () =>
      d.log().includes('Error reconfiguring the daemon'),
    );
    assert.equal((await d.client.ping()).apiVersion, '1.41');
    assert.equal((await d.client.info()).Debug, true);
  });
});
