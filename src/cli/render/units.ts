const BINARY_UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];

/** Like go-units BytesSize: 1024-based, up to 4 significant digits ("23.47GiB"). */
export function bytesSize(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < BINARY_UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${Number(value.toPrecision(4))}${BINARY_UNITS[unit]}`;
}

/** "key:" padded into a column of at least `min` characters, as the Docker CLI's tabwriter does. */
export function alignKeys(rows: readonly (readonly [string, string])[], min = 20): string {
  const width = Math.max(min, ...rows.map(([k]) => k.length + 1));
  return rows.map(([k, v]) => (v === '' ? k : k.padEnd(width) + v)).join('\n');
}
