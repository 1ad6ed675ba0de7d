import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { invalidEntry, type StatsEntry } from '../render/stats.js';
import { renderStats } from './stats.js';

const ENTRY: StatsEntry = {
  ...invalidEntry('web', 'd'.repeat(64), 'web'),
  cpuPercent: 12.345,
  memory: 1048576,
  memoryLimit: 64 * 1048576,
  memoryPercent: 1.5625,
  pids: 2,
  invalid: false,
};

describe('renderStats', () => {
  it('prints the default table as the Docker CLI', () => {
    assert.equal(
      renderStats([ENTRY], '', true),
      'CONTAINER ID   NAME      CPU %     MEM USAGE / LIMIT   MEM %     NET I/O   BLOCK I/O   PIDS\n' +
        'dddddddddddd   web       12.35%    1MiB / 64MiB        1.56%     0B / 0B   0B / 0B     2\n',
    );
  });

  it('prints a table of the chosen columns, json, or a template per row', () => {
    assert.equal(
      renderStats([ENTRY], 'table {{.Name}}\\t{{.PIDs}}', true),
      'NAME      PIDS\nweb       2\n',
    );
    assert.equal(
      renderStats([ENTRY], 'json', true),
      '{"BlockIO":"0B / 0B","CPUPerc":"12.35%","Container":"web","ID":"dddddddddddd","MemPerc":"1.56%","MemUsage":"1MiB / 64MiB","Name":"web","NetIO":"0B / 0B","PIDs":"2"}\n',
    );
    assert.equal(
      renderStats([ENTRY, ENTRY], '{{.Container}}:{{.CPUPerc}}', false),
      'web:12.35%\nweb:12.35%\n',
    );
  });
});
