import { statfs } from 'node:fs/promises';

/** statfs(2) f_type magic numbers, named as Docker names the backing filesystem. */
const FS_NAMES = new Map<number, string>([
  [0xef53, 'extfs'],
  [0x58465342, 'xfs'],
  [0x9123683e, 'btrfs'],
  [0x01021994, 'tmpfs'],
  [0x794c7630, 'overlayfs'],
  [0x2fc12fc1, 'zfs'],
  [0x6969, 'nfs'],
  [0xf2f52010, 'f2fs'],
  [0x65735546, 'fuse'],
  [0x858458f6, 'ramfs'],
  [0x73717368, 'squashfs'],
  [0x5346544e, 'ntfs'],
  [0x4d44, 'msdos'],
  [0x52654973, 'reiserfs'],
  [0xca451a4e, 'bcachefs'],
]);

/** The name of a statfs magic number, or `<unknown>` (hex) as Docker prints it. */
export function backingFsName(magic: number): string {
  return FS_NAMES.get(magic) ?? `<unknown> (0x${magic.toString(16)})`;
}

export async function backingFsOf(path: string): Promise<string> {
  const info = await statfs(path);
  return backingFsName(info.type);
}
