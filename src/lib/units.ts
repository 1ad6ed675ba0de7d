// Human-readable sizes as the Docker tools print them (go-units).

const DECIMAL_UNITS = ['B', 'kB', 'MB', 'GB', 'TB', 'PB'];
const BINARY_UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];

function scaled(bytes: number, base: number, units: readonly string[], precision: number): string {
  let value = bytes;
  let unit = 0;
  while (value >= base && unit < units.length - 1) {
    value /= base;
    unit++;
  }
  return `${Number(value.toPrecision(precision))}${units[unit]}`;
}

/** HumanSizeWithPrecision: 1000-based ("2.14MB", "0B"); HumanSize uses 4 digits. */
export function humanSize(bytes: number, precision = 4): string {
  return scaled(bytes, 1000, DECIMAL_UNITS, precision);
}

/** BytesSize: 1024-based, 4 significant digits ("23.47GiB"). */
export function bytesSize(bytes: number): string {
  return scaled(bytes, 1024, BINARY_UNITS, 4);
}

/** go-units HumanDuration: "Less than a second", "About a minute", "3 days", "6 months". */
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

const RAM_SIZE = /^(\d+(?:\.\d+)*) ?([kmgtp])?i?b?$/i;

/** go-units RAMInBytes: "32m" is 32 MiB, "1.5g" 1.5 GiB; a bare number is bytes. */
export function ramInBytes(text: string): number | undefined {
  const m = RAM_SIZE.exec(text);
  if (!m) return undefined;
  const value = Number.parseFloat(m[1] as string);
  if (Number.isNaN(value)) return undefined;
  const power = 'bkmgtp'.indexOf((m[2] ?? 'b').toLowerCase());
  return Math.trunc(value * 1024 ** power);
}
