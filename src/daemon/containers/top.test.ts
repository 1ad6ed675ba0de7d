import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isBerthError } from '../../core/errors.js';
import { checkPsArgs, parsePsOutput } from './top.js';

const PS_EF = [
  'UID          PID    PPID  C STIME TTY          TIME CMD',
  'root           1       0  0 01:41 ?        00:00:31 /sbin/init splash',
  'root        6336    6326  0 04:18 ?        00:00:00 sleep 1000',
  'root        6340    6336  0 04:18 ?        00:00:00 sh -c echo "a  b"',
  '',
].join('\n');

describe('parsePsOutput', () => {
  it("keeps the container's rows and joins the command line into the last column", () => {
    assert.deepEqual(parsePsOutput(PS_EF, new Set([6336, 6340])), {
      titles: ['UID', 'PID', 'PPID', 'C', 'STIME', 'TTY', 'TIME', 'CMD'],
      processes: [
        ['root', '6336', '6326', '0', '04:18', '?', '00:00:00', 'sleep 1000'],
        ['root', '6340', '6336', '0', '04:18', '?', '00:00:00', 'sh -c echo "a b"'],
      ],
    });
  });

  it('finds the PID column wherever ps puts it', () => {
    const table = parsePsOutput('COMMAND PID\nsleep 6336\ninit 1\n', new Set([6336]));
    assert.deepEqual(table, { titles: ['COMMAND', 'PID'], processes: [['sleep', '6336']] });
  });

  it('keeps thread rows (PID -) under a process of the container only', () => {
    const text = [
      'PID TID CMD',
      '6336 - sleep',
      '- 6336 -',
      '- 6337 -',
      '1 - init',
      '- 1 -',
      '',
    ].join('\n');
    assert.deepEqual(parsePsOutput(text, new Set([6336])).processes, [
      ['6336', '-', 'sleep'],
      ['-', '6336', '-'],
      ['-', '6337', '-'],
    ]);
  });

  it("fails as Docker does without a PID column or with a PID that isn't a number", () => {
    assert.throws(
      () => parsePsOutput('COMMAND\nsleep\n', new Set([1])),
      (err) =>
        isBerthError(err, 'internal') && err.message === "Couldn't find PID field in ps output",
    );
    assert.throws(
      () => parsePsOutput('PID CMD\nabc sleep\n', new Set([1])),
      (err) => isBerthError(err, 'internal') && /^Unexpected pid 'abc'/.test(err.message),
    );
  });

  it('has no rows when no process is the container’s', () => {
    assert.deepEqual(parsePsOutput(PS_EF, new Set([42])).processes, []);
  });
});

describe('checkPsArgs', () => {
  it('accepts ordinary arguments and renaming the pid column', () => {
    for (const args of ['-ef', 'aux', '-o pid,comm', '-o pid=PID,comm', '-eo pid,args'])
      assert.doesNotThrow(() => checkPsArgs(args), args);
  });

  it('refuses to name another column PID', () => {
    assert.throws(
      () => checkPsArgs('-o comm=PID'),
      (err) =>
        isBerthError(err, 'internal') && err.message === 'specifying "comm=PID" is not allowed',
    );
  });
});
