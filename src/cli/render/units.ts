export { bytesSize } from '../../lib/units.js';

/** "key:" padded into a column of at least `min` characters, as the Docker CLI's tabwriter does. */
export function alignKeys(rows: readonly (readonly [string, string])[], min = 20): string {
  const width = Math.max(min, ...rows.map(([k]) => k.length + 1));
  return rows.map(([k, v]) => (v === '' ? k : k.padEnd(width) + v)).join('\n');
}
