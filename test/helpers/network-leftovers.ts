// What a test daemon that died without its shutdown (SIGKILL, a second SIGTERM, SIGQUIT) and
// is never started again leaves of its network: its default bridge and its firewall chains.

import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';

/** Removes the bridge and chains the daemon of `execRoot` named after its tag (main.ts). */
export function removeNetworkLeftovers(execRoot: string): void {
  const tag = createHash('sha256').update(execRoot).digest('hex').slice(0, 6);
  const bridge = `berth-${tag}`;
  if (existsSync(`/sys/class/net/${bridge}`))
    execFileSync('ip', ['link', 'del', bridge], { stdio: 'ignore' });
  const prefix = `BERTH-${tag}-`;
  for (const table of ['filter', 'nat']) {
    const save = execFileSync('iptables-save', ['-t', table], { encoding: 'utf8' });
    const chains = new Set<string>();
    for (const line of save.split('\n')) {
      const chain = /^:(\S+) /.exec(line)?.[1];
      if (chain?.startsWith(prefix)) chains.add(chain);
      const jump = /^-A (\S+) (.*-j (\S+))$/.exec(line);
      if (jump && !jump[1]?.startsWith(prefix) && jump[3]?.startsWith(prefix))
        execFileSync('iptables', [
          '-t',
          table,
          '-D',
          jump[1] as string,
          ...(jump[2] as string).split(' '),
        ]);
    }
    for (const c of chains) execFileSync('iptables', ['-t', table, '-F', c]);
    for (const c of chains) execFileSync('iptables', ['-t', table, '-X', c]);
  }
}
