import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { chainNames, installText, removeText, rulesText } from './firewall.js';

const REPO = process.env['BERTH_REPO'] ?? new URL('../../../../', import.meta.url).pathname;
const TESTDATA = join(REPO, 'src/core/network/testdata');

/** Compares with testdata/<name>; UPDATE_GOLDEN=1 rewrites the file instead. */
function assertGolden(name: string, text: string): void {
  const path = join(TESTDATA, name);
  if (process.env['UPDATE_GOLDEN'] === '1') {
    writeFileSync(path, text);
    return;
  }
  assert.equal(text, readFileSync(path, 'utf8'), `${name} differs (UPDATE_GOLDEN=1 rewrites it)`);
}

const NAMES = chainNames('a1b2c3');

const SAVE = [
  '*filter',
  ':INPUT ACCEPT [0:0]',
  ':FORWARD ACCEPT [0:0]',
  ':BERTH-a1b2c3-FWD - [0:0]',
  ':BERTH-a1b2c3-ISO - [0:0]',
  ':DOCKER - [0:0]',
  '-A FORWARD -j BERTH-a1b2c3-FWD',
  '-A FORWARD -j DOCKER',
  '-A FORWARD -j BERTH-other-FWD',
  'COMMIT',
  '*nat',
  ':PREROUTING ACCEPT [0:0]',
  ':BERTH-a1b2c3-DNAT - [0:0]',
  '-A PREROUTING -m addrtype --dst-type LOCAL -j BERTH-a1b2c3-DNAT',
  '-A PREROUTING -m addrtype --dst-type LOCAL -j DOCKER',
  'COMMIT',
].join('\n');

describe('firewall', () => {
  it('names chains from the tag', () => {
    assert.deepEqual(chainNames(''), {
      forward: 'BERTH-FWD',
      isolation: 'BERTH-ISO',
      dnat: 'BERTH-DNAT',
      postrouting: 'BERTH-POST',
    });
    assert.equal(NAMES.dnat, 'BERTH-a1b2c3-DNAT');
  });

  it('installs chains and jumps, removing only its own stale jumps (golden)', () => {
    const text = installText(NAMES, SAVE);
    assertGolden('install.rules', text);
    assert.ok(!text.includes('DOCKER'));
    assert.ok(!text.includes('BERTH-other'));
  });

  it('removes only its own jumps and chains (golden)', () => {
    const text = removeText(NAMES, SAVE);
    assertGolden('remove.rules', text);
    assert.equal(removeText(NAMES, '*filter\n:FORWARD ACCEPT [0:0]\nCOMMIT\n'), '');
  });

  it('writes the rules of networks and ports (golden)', () => {
    const text = rulesText(
      NAMES,
      [
        { bridge: 'berth0', subnet: '172.17.0.0/16', internal: false, icc: true, masquerade: true },
        { bridge: 'br-1', subnet: '172.18.0.0/16', internal: false, icc: false, masquerade: false },
        { bridge: 'br-2', subnet: '172.19.0.0/16', internal: true, icc: true, masquerade: true },
      ],
      [
        {
          bridge: 'berth0',
          containerIp: '172.17.0.2',
          mapping: { containerPort: 80, proto: 'tcp', hostIp: '127.0.0.1', hostPort: 18080 },
        },
        {
          bridge: 'br-1',
          containerIp: '172.18.0.2',
          mapping: { containerPort: 53, proto: 'udp', hostIp: '0.0.0.0', hostPort: 32768 },
        },
      ],
    );
    assertGolden('rules.rules', text);
  });
});
