import { humanDuration, humanSize as humanSizeWithPrecision } from '../../lib/units.js';

export { humanDuration };

// Tables as the Docker CLI prints them (text/tabwriter with minwidth 10 and padding 3), and the
// human units it uses (go-units HumanDuration and HumanSizeWithPrecision).

export function table(
  header: readonly string[],
  rows: readonly (readonly string[])[],
  minWidth = 10,
): string {
  const all = [header, ...rows];
  const widths = header.map((_, col) =>
    Math.max(minWidth, ...all.map((r) => (r[col] ?? '').length + 3)),
  );
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

export function ago(unixSeconds: number, now = Date.now()): string {
  return `${humanDuration(now - unixSeconds * 1000)} ago`;
}

/** go-units HumanSizeWithPrecision(size, 3), as the CLI's tables print sizes ("2.14MB"). */
export function humanSize(bytes: number): string {
  return humanSizeWithPrecision(bytes, 3);
}

/** go-units HumanSize (4 digits), as `system df` and the prune commands print sizes. */
export function humanSizeLong(bytes: number): string {
  return humanSizeWithPrecision(bytes, 4);
}

/** Docker's short IDs: no `sha256:`, 12 hex. */
export function shortId(id: string): string {
  return id.replace(/^sha256:/, '').slice(0, 12);
}
