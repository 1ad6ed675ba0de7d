// Go's os.FileMode, in which Docker's archive API reports a path's mode: the permission bits,
// plus one high bit per file type and per special bit (not the POSIX S_IF* encoding).

export const GO_MODE_DIR = 2 ** 31;
export const GO_MODE_SYMLINK = 2 ** 27;
export const GO_MODE_DEVICE = 2 ** 26;
export const GO_MODE_NAMED_PIPE = 2 ** 25;
export const GO_MODE_SOCKET = 2 ** 24;
export const GO_MODE_SETUID = 2 ** 23;
export const GO_MODE_SETGID = 2 ** 22;
export const GO_MODE_CHAR_DEVICE = 2 ** 21;
export const GO_MODE_STICKY = 2 ** 20;

const S_IFMT = 0o170000;
const TYPE_BITS: Readonly<Record<number, number>> = {
  0o040000: GO_MODE_DIR,
  0o120000: GO_MODE_SYMLINK,
  0o060000: GO_MODE_DEVICE,
  0o020000: GO_MODE_DEVICE + GO_MODE_CHAR_DEVICE,
  0o010000: GO_MODE_NAMED_PIPE,
  0o140000: GO_MODE_SOCKET,
  0o100000: 0,
};

/** The Go FileMode of a POSIX st_mode (as Go's os.Lstat computes it). */
export function goFileMode(mode: number): number {
  let result = (mode & 0o777) + (TYPE_BITS[mode & S_IFMT] ?? 0);
  if (mode & 0o4000) result += GO_MODE_SETUID;
  if (mode & 0o2000) result += GO_MODE_SETGID;
  if (mode & 0o1000) result += GO_MODE_STICKY;
  return result;
}
