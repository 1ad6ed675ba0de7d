import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parseKeyedValues, parsePidList, parseSingleValue } from './cgroup-stats.js';
import { readCgroupProcs, readCgroupStats } from './read.js';
import { parseBlkioV1 } from './v1.js';
import { parseIoStat } from './v2.js';

/** The repository root (tests run compiled, from dist/). */
const REPO = process.env['BERTH_REPO'] ?? new URL('../../../../', import.meta.url).pathname;
const TESTDATA = join(REPO, 'src/core/cgroups/testdata');
const v1 = (c: string): string => join(TESTDATA, 'v1', c);

describe('cgroup file parsers', () => {
  it('reads single values, with max and nothing as no value', () => {
    assert.equal(parseSingleValue('67108864\n'), 67108864);
    assert.equal(parseSingleValue('max\n'), undefined);
    assert.equal(parseSingleValue(undefined), undefined);
    assert.equal(parseSingleValue('  \n'), undefined);
    assert.equal(parseSingleValue('junk'), undefined);
  });

  it('reads keyed values and skips malformed lines', () => {
    assert.deepEqual(parseKeyedValues('user 2\nsystem 1\n\nodd line here\nbad x\n'), {
      user: 2,
      system: 1,
    });
  });

  it('reads pid lists', () => {
    assert.deepEqual(parsePidList('1\n22\n\n0\nx\n'), [1, 22]);
  });

  it('reads v1 blkio lines and skips the device-less total', () => {
    assert.deepEqual(parseBlkioV1('8:0 Read 4096\n8:16 Write 1\nTotal 4097\n'), [
      { major: 8, minor: 0, op: 'Read', value: 4096 },
      { major: 8, minor: 16, op: 'Write', value: 1 },
    ]);
  });

  it('turns v2 io.stat into read and write entries per device', () => {
    const io = parseIoStat('8:0 rbytes=10 wbytes=20 rios=1 wios=2 dbytes=0 dios=0\n');
    assert.deepEqual(io.serviceBytes, [
      { major: 8, minor: 0, op: 'read', value: 10 },
      { major: 8, minor: 0, op: 'write', value: 20 },
    ]);
    assert.deepEqual(io.serviced, [
      { major: 8, minor: 0, op: 'read', value: 1 },
      { major: 8, minor: 0, op: 'write', value: 2 },
    ]);
  });
});

describe('reading a cgroup v1 container (fixture hierarchies)', () => {
  const paths = {
    version: 1 as const,
    dirs: {
      cpu: v1('cpu'),
      cpuacct: v1('cpuacct'),
      memory: v1('memory'),
      pids: v1('pids'),
      blkio: v1('blkio'),
    },
  };

  it('reads CPU, memory, pids and blkio in Docker units', async () => {
    const s = await readCgroupStats(paths);
    assert.equal(s.version, 1);
    assert.deepEqual(s.cpu, {
      totalNs: 36617859,
      perCpuNs: [22054079, 14563780],
      userNs: 20_000_000,
      systemNs: 10_000_000,
      periods: 10,
      throttledPeriods: 3,
      throttledNs: 4_500_000,
    });
    assert.equal(s.memory.usage, 565248);
    assert.equal(s.memory.maxUsage, 4329472);
    assert.equal(s.memory.limit, 67108864);
    assert.equal(s.memory.stat['total_inactive_file'], 4096);
    assert.deepEqual(s.pids, { current: 2, limit: undefined });
    assert.equal(s.blkio.serviceBytes.length, 8, 'six ops of 8:0 and two of 253:1');
    assert.deepEqual(s.blkio.serviceBytes[0], { major: 8, minor: 0, op: 'Read', value: 4096 });
    assert.deepEqual(s.blkio.serviced, [
      { major: 8, minor: 0, op: 'Read', value: 1 },
      { major: 8, minor: 0, op: 'Write', value: 2 },
      { major: 8, minor: 0, op: 'Total', value: 3 },
    ]);
  });

  it('treats the page-rounded 2^63 of an unlimited v1 cgroup as no limit', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'berth-cg-'));
    try {
      await writeFile(join(dir, 'memory.limit_in_bytes'), '9223372036854771712\n');
      const s = await readCgroupStats({ version: 1, dirs: { memory: dir } });
      assert.equal(s.memory.limit, undefined);
      assert.equal(s.memory.usage, 0, 'a missing file reads as zero');
      assert.equal(s.cpu.perCpuNs, undefined);
      assert.deepEqual(s.blkio, { serviceBytes: [], serviced: [] });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('lists the processes of the pids hierarchy', async () => {
    assert.deepEqual(await readCgroupProcs(paths), [101, 202]);
    assert.deepEqual(
      await readCgroupProcs({ version: 1, dirs: { cpuacct: v1('cpuacct') } }),
      [101, 202],
      'any hierarchy will do',
    );
  });
});

describe('reading a cgroup v2 container (fixture directory)', () => {
  const paths = { version: 2 as const, dir: join(TESTDATA, 'v2') };

  it('reads CPU, memory, pids and io in Docker units', async () => {
    const s = await readCgroupStats(paths);
    assert.equal(s.version, 2);
    assert.deepEqual(s.cpu, {
      totalNs: 36_617_000,
      userNs: 27_463_000,
      systemNs: 9_154_000,
      periods: 5,
      throttledPeriods: 1,
      throttledNs: 250_000,
    });
    assert.equal(s.memory.usage, 1048576);
    assert.equal(s.memory.limit, undefined, 'memory.max is max');
    assert.equal(s.memory.maxUsage, undefined, 'v2 has no max usage');
    assert.equal(s.memory.failcnt, 1, 'the oom count of memory.events');
    assert.equal(s.memory.stat['inactive_file'], 131072);
    assert.deepEqual(s.pids, { current: 3, limit: 20 });
    assert.deepEqual(s.blkio.serviceBytes, [
      { major: 8, minor: 0, op: 'read', value: 4096 },
      { major: 8, minor: 0, op: 'write', value: 8192 },
      { major: 253, minor: 1, op: 'read', value: 100 },
      { major: 253, minor: 1, op: 'write', value: 0 },
    ]);
  });

  it('lists the processes of cgroup.procs', async () => {
    assert.deepEqual(await readCgroupProcs(paths), [301, 302, 303]);
  });

  it('reads a cgroup that is gone as zeros, not as an error', async () => {
    const s = await readCgroupStats({ version: 2, dir: join(TESTDATA, 'v2', 'nonexistent') });
    assert.equal(s.cpu.totalNs, 0);
    assert.deepEqual(s.blkio.serviceBytes, []);
    assert.deepEqual(await readCgroupProcs({ version: 2, dir: '/nonexistent' }), []);
  });
});
