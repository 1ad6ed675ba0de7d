// Registry credentials as the Engine API carries them: the `X-Registry-Auth` header (base64url
// JSON) on pull, push and search, and the JSON body of `POST /auth`.

export interface Credentials {
  readonly username?: string;
  readonly password?: string;
  /** An OAuth refresh token a registry handed out at login. */
  readonly identityToken?: string;
  /** A bearer token to send as is. */
  readonly registryToken?: string;
  readonly serverAddress?: string;
}

function str(o: Record<string, unknown>, ...keys: string[]): string | undefined {
  for (const k of keys) {
    const v = o[k];
    if (typeof v === 'string' && v !== '') return v;
  }
  return undefined;
}

/** Reads the fields Docker's AuthConfig has (either case); `auth` is base64 `user:pass`. */
export function credentialsFromJson(value: unknown): Credentials {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return {};
  const o = value as Record<string, unknown>;
  let username = str(o, 'username', 'Username');
  let password = str(o, 'password', 'Password');
  const auth = str(o, 'auth', 'Auth');
  if (auth !== undefined && username === undefined) {
    const text = Buffer.from(auth, 'base64').toString('utf8');
    const colon = text.indexOf(':');
    if (colon > 0) {
      username = text.slice(0, colon);
      password = text.slice(colon + 1);
    }
  }
  return {
    username,
    password,
    identityToken: str(o, 'identitytoken', 'IdentityToken'),
    registryToken: str(o, 'registrytoken', 'RegistryToken'),
    serverAddress: str(o, 'serveraddress', 'ServerAddress'),
  };
}

/**
 * Decodes `X-Registry-Auth`. Like Docker, a header that is not valid base64 JSON counts as no
 * credentials (anonymous access), not as an error.
 */
export function decodeRegistryAuth(header: string | undefined): Credentials {
  if (header === undefined || header.trim() === '') return {};
  try {
    return credentialsFromJson(
      JSON.parse(Buffer.from(header.trim(), 'base64url').toString('utf8')),
    );
  } catch (err) {
    if (err instanceof SyntaxError) return {};
    throw err;
  }
}

export function hasCredentials(c: Credentials): boolean {
  return (
    (c.username !== undefined && c.password !== undefined) ||
    c.identityToken !== undefined ||
    c.registryToken !== undefined
  );
}
