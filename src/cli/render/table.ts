import { humanSize as humanSizeWithPrecision } from '../../lib/units.js';

// Tables as the Docker CLI prints them (text/tabwriter with minwidth 10 and padding 3), and the
// human units it uses (go-units HumanDuration and HumanSizeWithPrecision).

export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const all = [header, ...rows];
  const widths = header.map((_, col) => Math.max(10, ...all.map((r) => (r[col] ?? '').length + 3)));
  return (
    all
      .map((r) =>
        r
          .map((cell, col) => (col === r.length - 1 ? cell : cell.padEnd(widths[col] as number)))
          .join(''),
      )
      .join('\n') + '\n'
  );
}

export function humanDuration(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  if (seconds < 1) return 'Less than a second';
  if (seconds === 1) return '1 second';
  if (seconds < 60) return `${seconds} seconds`;
  const minutes = Math.floor(ms / 60_000);
  if (minutes === 1) return 'About a minute';
  if (minutes < 60) return `${minutes} minutes`;
  const hours = Math.floor(ms / 3_600_000 + 0.5);
  if (hours === 1) return 'About an hour';
  if (hours < 48) return `${hours} hours`;
  if (hours < 24 * 7 * 2) return `${Math.floor(hours / 24)} days`;
  if (hours < 24 * 30 * 2) return `${Math.floor(hours / 24 / 7)} weeks`;
  if (hours < 24 * 365 * 2) return `${Math.floor(hours / 24 / 30)} months`;
  return `${Math.floor(ms / 3_600_000 / 24 / 365)} years`;
}

export function ago(unixSeconds: number, now = Date.now()): string {
  return `${humanDuration(now - unixSeconds * 1000)} ago`;
}

/** go-units HumanSizeWithPrecision(size, 3), as the CLI's tables print sizes ("2.14MB"). */
export function humanSize(bytes: number): string {
  return humanSizeWithPrecision(bytes, 3);
}

/** Docker's short IDs: no `sha256:`, 12 hex. */
export function shortId(id: string): string {
  return id.replace(/^sha256:/, '').slice(0, 12);
}
