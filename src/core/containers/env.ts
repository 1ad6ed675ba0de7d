// Environment lists ("KEY=value" entries) merged the ways Docker merges them.

const keyOf = (entry: string): string => entry.split('=', 1)[0] ?? '';

/**
 * `base` with `extra` applied (moby's ReplaceOrAppendEnvValues): KEY=value replaces the entry of
 * that key or is appended; a bare KEY removes it. Used for the process's environment at start
 * and exec.
 */
export function mergeEnv(
  base: readonly string[] | null | undefined,
  extra: readonly string[] | null | undefined,
): string[] {
  const out = [...(base ?? [])];
  for (const entry of extra ?? []) {
    const key = keyOf(entry);
    const i = out.findIndex((e) => keyOf(e) === key);
    if (!entry.includes('=')) {
      if (i !== -1) out.splice(i, 1);
    } else if (i === -1) out.push(entry);
    else out[i] = entry;
  }
  return out.filter((e) => e.includes('='));
}

/**
 * Config.Env at create: the request's entries as given (bare ones too), then the image's whose
 * key the request does not name.
 */
export function imageAndRequestEnv(
  image: readonly string[] | null | undefined,
  request: readonly string[] | null | undefined,
): string[] {
  if (!request || request.length === 0) return [...(image ?? [])];
  const keys = new Set(request.map(keyOf));
  return [...request, ...(image ?? []).filter((e) => !keys.has(keyOf(e)))];
}
