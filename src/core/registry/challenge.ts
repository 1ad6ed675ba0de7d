// WWW-Authenticate challenges from a registry: `Basic realm="x"` or
// `Bearer realm="https://auth/token",service="registry",scope="repository:a:pull"`.

export interface Challenge {
  /** Lower-case scheme: `basic`, `bearer`. */
  readonly scheme: string;
  readonly params: Readonly<Record<string, string>>;
}

/** Parses every challenge in a header value (RFC 7235 auth-params, quoted or token values). */
export function parseChallenges(header: string | string[] | undefined): Challenge[] {
  const values = header === undefined ? [] : Array.isArray(header) ? header : [header];
  const out: Challenge[] = [];
  for (const value of values) {
    let i = 0;
    const text = value;
    let current: { scheme: string; params: Record<string, string> } | undefined;
    while (i < text.length) {
      while (i < text.length && /[\s,]/.test(text[i] as string)) i++;
      const word = /^[A-Za-z0-9!#$%&'*+.^_`|~-]+/.exec(text.slice(i))?.[0];
      if (word === undefined) break;
      i += word.length;
      let j = i;
      while (j < text.length && text[j] === ' ') j++;
      if (text[j] === '=') {
        // key=value of the current challenge
        i = j + 1;
        while (text[i] === ' ') i++;
        let val = '';
        if (text[i] === '"') {
          i++;
          while (i < text.length && text[i] !== '"') {
            if (text[i] === '\\' && i + 1 < text.length) i++;
            val += text[i];
            i++;
          }
          i++;
        } else {
          const m = /^[^\s,]*/.exec(text.slice(i))?.[0] ?? '';
          val = m;
          i += m.length;
        }
        if (current) current.params[word.toLowerCase()] = val;
      } else {
        current = { scheme: word.toLowerCase(), params: {} };
        out.push(current);
      }
    }
  }
  return out;
}
