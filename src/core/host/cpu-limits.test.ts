import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isBerthError } from '../errors.js';
import { checkCpuLimits, hostCpuFacts, parseCpuList } from './cpu-limits.js';

const facts = { count: 2, available: '0-1' };
const refused = (message: string) => (err: unknown) =>
  isBerthError(err, 'invalid-argument') && err.message === message;

describe('cpu limits', () => {
  it('reads kernel cpu lists', () => {
    assert.deepEqual([...(parseCpuList('0-2,5,7-8') ?? [])], [0, 1, 2, 5, 7, 8]);
    assert.deepEqual([...(parseCpuList('') ?? [])], []);
    for (const bad of ['a', '1-', '3-1', '1,,2', '-1', '0-99999'])
      assert.equal(parseCpuList(bad), undefined);
  });

  it("refuses more CPUs than the host has, and CPUs it does not have, in Docker's words", () => {
    checkCpuLimits({ nanoCpus: 2e9, cpusetCpus: '0-1' }, facts);
    checkCpuLimits({ nanoCpus: 0, cpusetCpus: '' }, facts);
    checkCpuLimits({}, facts);
    assert.throws(
      () => checkCpuLimits({ nanoCpus: 3e9 }, facts),
      refused('Range of CPUs is from 0.01 to 2.00, as there are only 2 CPUs available'),
    );
    assert.throws(
      () => checkCpuLimits({ cpusetCpus: '7' }, facts),
      refused('Requested CPUs are not available - requested 7, available: 0-1'),
    );
    assert.throws(
      () => checkCpuLimits({ cpusetCpus: 'x' }, facts),
      refused('Invalid value x for cpuset cpus'),
    );
  });

  it("reads this host's", () => {
    const host = hostCpuFacts();
    assert.ok(host.count >= 1);
    assert.ok((parseCpuList(host.available)?.size ?? 0) >= 1, host.available);
  });
});
