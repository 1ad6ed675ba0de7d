/** `base` with `extra`'s KEY=value entries replacing those of the same key, or appended. */
export function mergeEnv(
  base: readonly string[] | null | undefined,
  extra: readonly string[] | null | undefined,
): string[] {
  const out = [...(base ?? [])];
  for (const entry of extra ?? []) {
    const key = entry.split('=', 1)[0];
    const i = out.findIndex((e) => e.split('=', 1)[0] === key);
    if (i === -1) out.push(entry);
    else out[i] = entry;
  }
  return out;
}
