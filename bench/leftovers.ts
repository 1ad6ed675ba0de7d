// A bench that fails midway must not leave containers running (they outlive their daemon):
// each bench's clean-up removes whatever is left on its daemon before stopping it.

import { execFileSync } from 'node:child_process';

/** Force-removes every container of the daemon at `host`; never throws. */
export function removeAllContainers(host: string): void {
  const env = { ...process.env, DOCKER_HOST: host };
  try {
    const ids = execFileSync('docker', ['ps', '-aq'], { env, encoding: 'utf8', timeout: 30_000 })
      .split('\n')
      .filter(Boolean);
    if (ids.length > 0)
      execFileSync('docker', ['rm', '-f', ...ids], { env, stdio: 'ignore', timeout: 120_000 });
  } catch {
    // the daemon is gone or wedged: its cleanup reports that
  }
}
