import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { isBerthError } from '../errors.js';
import { hostDevices, isDeviceMode } from './host-devices.js';

describe('host devices', () => {
  it("accepts Docker's device modes", () => {
    for (const mode of ['r', 'w', 'm', 'rw', 'rwm', 'mwr']) assert.equal(isDeviceMode(mode), true);
    for (const mode of ['', 'rr', 'x', 'rwmr', 'RW']) assert.equal(isDeviceMode(mode), false);
  });

  it('reads a device node: type, numbers, mode, owner', () => {
    assert.deepEqual(
      hostDevices([
        { pathOnHost: '/dev/null', pathInContainer: '/dev/mynull', cgroupPermissions: 'rw' },
      ]),
      [
        {
          path: '/dev/mynull',
          type: 'c',
          major: 1,
          minor: 3,
          fileMode: 0o666,
          uid: 0,
          gid: 0,
          cgroupPermissions: 'rw',
        },
      ],
    );
  });

  it("refuses what is missing or no device, with Docker's words", () => {
    const dir = mkdtempSync(join(tmpdir(), 'berth-devices-'));
    try {
      writeFileSync(join(dir, 'file'), 'x');
      const refused = (path: string, why: string): void =>
        assert.throws(
          () =>
            hostDevices([
              { pathOnHost: path, pathInContainer: '/dev/x', cgroupPermissions: 'rwm' },
            ]),
          (err: unknown) =>
            isBerthError(err, 'invalid-argument') &&
            err.message ===
              `error gathering device information while adding custom device "${path}": ${why}`,
        );
      refused(join(dir, 'nope'), 'no such file or directory');
      refused(join(dir, 'file'), 'not a device node');
      // A directory is walked only so far: a whole file system is refused.
      assert.throws(
        () =>
          hostDevices(
            [{ pathOnHost: '/', pathInContainer: '/dev/x', cgroupPermissions: 'rwm' }],
            50,
          ),
        /adding custom device "\/": more than 50 files under it/,
      );
      // A directory without devices gives none.
      assert.deepEqual(
        hostDevices([{ pathOnHost: dir, pathInContainer: '/dev/x', cgroupPermissions: 'rwm' }]),
        [],
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
