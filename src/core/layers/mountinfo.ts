import { readFile } from 'node:fs/promises';

/** One line of /proc/<pid>/mountinfo (proc(5)), the fields the drivers need. */
export interface MountInfoEntry {
  readonly mountId: number;
  readonly parentId: number;
  readonly mountPoint: string;
  readonly fsType: string;
  readonly source: string;
  readonly superOptions: string;
}

/** Undoes the kernel's octal escapes of space, tab, newline and backslash (`\040`). */
export function unescapeMountField(text: string): string {
  return text.replace(/\\([0-7]{3})/g, (_m, octal: string) =>
    String.fromCharCode(parseInt(octal, 8)),
  );
}

export function parseMountInfo(text: string): MountInfoEntry[] {
  const entries: MountInfoEntry[] = [];
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const fields = line.split(' ');
    const separator = fields.indexOf('-', 6);
    if (separator === -1 || fields.length < separator + 4) continue;
    entries.push({
      mountId: Number(fields[0]),
      parentId: Number(fields[1]),
      mountPoint: unescapeMountField(fields[4] ?? ''),
      fsType: fields[separator + 1] ?? '',
      source: unescapeMountField(fields[separator + 2] ?? ''),
      superOptions: fields[separator + 3] ?? '',
    });
  }
  return entries;
}

/** Mount points strictly below `dir` (an absolute, symlink-free path), deepest first. */
export function mountPointsUnder(entries: readonly MountInfoEntry[], dir: string): string[] {
  const prefix = dir.endsWith('/') ? dir : `${dir}/`;
  const points = new Set(
    entries.map((e) => e.mountPoint).filter((point) => point.startsWith(prefix)),
  );
  return [...points].sort((a, b) => b.length - a.length || (a < b ? -1 : 1));
}

export async function readMountInfo(): Promise<MountInfoEntry[]> {
  return parseMountInfo(await readFile('/proc/self/mountinfo', 'utf8'));
}
