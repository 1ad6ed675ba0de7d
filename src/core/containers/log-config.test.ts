import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isBerthError } from '../errors.js';
import {
  DEFAULT_MAX_FILE,
  DEFAULT_MAX_SIZE,
  logSettings,
  mergeLogConfig,
  parseRamSize,
} from './log-config.js';

const refused = (message: string) => (err: unknown) =>
  isBerthError(err, 'invalid-argument') && (err as Error).message === message;

describe('log config', () => {
  it('reads sizes as Docker does, in binary units', () => {
    assert.equal(parseRamSize('100'), 100);
    assert.equal(parseRamSize('10k'), 10240);
    assert.equal(parseRamSize('1.5m'), 1572864);
    assert.equal(parseRamSize('2GiB'), 2 * 1024 ** 3);
    assert.equal(parseRamSize('3 MB'), 3 * 1024 ** 2);
    assert.throws(() => parseRamSize('ten'), refused("invalid size: 'ten'"));
    assert.throws(() => parseRamSize('-1'), refused("invalid size: '-1'"));
  });

  it('rotates by default, and takes max-size and max-file', () => {
    assert.deepEqual(logSettings({ type: 'json-file', config: {} }), {
      driver: 'json-file',
      maxSize: DEFAULT_MAX_SIZE,
      maxFile: DEFAULT_MAX_FILE,
    });
    assert.deepEqual(logSettings({ type: '', config: { 'max-size': '1k', 'max-file': '3' } }), {
      driver: 'json-file',
      maxSize: 1024,
      maxFile: 3,
    });
    assert.equal(logSettings({ type: 'none', config: {} }).driver, 'none');
  });

  it("refuses what Docker refuses, with Docker's messages", () => {
    assert.throws(
      () => logSettings({ type: 'syslogx', config: {} }),
      refused("logger: no log driver named 'syslogx' is registered"),
    );
    assert.throws(
      () => logSettings({ type: 'json-file', config: { 'max-bytes': '1' } }),
      refused("unknown log opt 'max-bytes' for json-file log driver"),
    );
    assert.throws(
      () => logSettings({ type: 'none', config: { 'max-size': '1m' } }),
      refused("unknown log opt 'max-size' for none log driver"),
    );
    assert.throws(
      () => logSettings({ type: 'json-file', config: { 'max-size': '0' } }),
      refused('max-size must be a positive number'),
    );
    assert.throws(
      () => logSettings({ type: 'json-file', config: { 'max-file': '0' } }),
      refused('max-file cannot be less than 1'),
    );
    assert.throws(
      () => logSettings({ type: 'json-file', config: { 'max-file': 'x' } }),
      refused('strconv.Atoi: parsing "x": invalid syntax'),
    );
  });

  it("fills in the daemon's defaults for its own driver only", () => {
    const daemon = { type: 'json-file', config: { 'max-size': '5m' } };
    assert.deepEqual(mergeLogConfig(undefined, daemon), daemon);
    assert.deepEqual(mergeLogConfig({ type: '', config: { 'max-file': '2' } }, daemon), {
      type: 'json-file',
      config: { 'max-size': '5m', 'max-file': '2' },
    });
    assert.deepEqual(mergeLogConfig({ type: 'none', config: {} }, daemon), {
      type: 'none',
      config: {},
    });
    assert.deepEqual(mergeLogConfig(undefined, { type: '', config: {} }), {
      type: 'json-file',
      config: {},
    });
  });
});
