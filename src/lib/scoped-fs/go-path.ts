// Slash-separated paths with Go's `path` semantics, which Docker's archive API and its CLI apply
// to container paths: Clean never keeps a trailing slash, Base of "/" is "/", and a trailing
// "/" or "/." asserts a directory (PreserveTrailingDotOrSeparator keeps it).

/** Go's path.Clean: the shortest equivalent path, lexically ("" is "."). */
export function cleanPath(path: string): string {
  if (path === '') return '.';
  const rooted = path.startsWith('/');
  const out: string[] = [];
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (out.length > 0 && out[out.length - 1] !== '..') out.pop();
      else if (!rooted) out.push('..');
      continue;
    }
    out.push(part);
  }
  const joined = out.join('/');
  if (rooted) return `/${joined}`;
  return joined === '' ? '.' : joined;
}

/** Go's path.Join: the non-empty elements joined by slashes, then cleaned ("" if none). */
export function joinPath(...elements: string[]): string {
  const parts = elements.filter((e) => e !== '');
  return parts.length === 0 ? '' : cleanPath(parts.join('/'));
}

/** Go's path.Split: everything up to and including the last slash, and the rest. */
export function splitPath(path: string): { readonly dir: string; readonly base: string } {
  const slash = path.lastIndexOf('/');
  return { dir: path.slice(0, slash + 1), base: path.slice(slash + 1) };
}

/** Go's path.Base: the last element, trailing slashes ignored ("." for "", "/" for "/"). */
export function basePath(path: string): string {
  if (path === '') return '.';
  const trimmed = path.replace(/\/+$/, '');
  if (trimmed === '') return '/';
  return trimmed.slice(trimmed.lastIndexOf('/') + 1);
}

/** Go's path.Dir: all but the last element, cleaned. */
export function dirPath(path: string): string {
  return cleanPath(splitPath(path).dir);
}

export function hasTrailingSeparator(path: string): boolean {
  return path.endsWith('/');
}

/** True when the last element is ".": the path names a directory's content. */
export function specifiesCurrentDir(path: string): boolean {
  return basePath(path) === '.';
}

/** A trailing "/" or "/." asserts that the path is a directory. */
export function assertsDirectory(path: string): boolean {
  return hasTrailingSeparator(path) || specifiesCurrentDir(path);
}

/** Puts back the trailing "/." or "/" of `original` that cleaning removed from `cleaned`. */
export function preserveTrailingDotOrSeparator(cleaned: string, original: string): string {
  let path = cleaned;
  if (!specifiesCurrentDir(path) && specifiesCurrentDir(original)) {
    if (!hasTrailingSeparator(path)) path += '/';
    path += '.';
  }
  if (!hasTrailingSeparator(path) && hasTrailingSeparator(original)) path += '/';
  return path;
}

/**
 * Splits a path into its directory and its last element after cleaning it, keeping a final
 * "." (`/a/b/.` gives `/a/b` and `.`).
 */
export function splitPathDirEntry(path: string): { readonly dir: string; readonly base: string } {
  let cleaned = cleanPath(path);
  if (specifiesCurrentDir(path)) cleaned += '/.';
  return { dir: dirPath(cleaned), base: basePath(cleaned) };
}

/** True when `path` is `dir` or lies under it (both clean and absolute). */
export function isWithin(dir: string, path: string): boolean {
  return path === dir || path.startsWith(dir === '/' ? '/' : `${dir}/`);
}
