// The /etc files and environment a container's network gives it: hosts lines, resolv.conf,
// and the variables of `--link`.

/** A linked container as the link's environment needs it. */
export interface LinkTarget {
  /** The name the link gives it (`--link web:db` → db). */
  readonly alias: string;
  readonly name: string;
  readonly id: string;
  readonly ip: string;
  /** Its exposed ports, `80/tcp`. */
  readonly exposed: readonly string[];
  readonly env: readonly string[];
}

/** The hosts line of a link: `172.17.0.2\tdb 0123456789ab web`. */
export function linkHostsLine(t: LinkTarget): string {
  const names = [t.alias, t.id.slice(0, 12), t.name].filter((n, i, all) => all.indexOf(n) === i);
  return `${t.ip}\t${names.join(' ')}`;
}

/** Docker's link variables: DB_PORT, DB_PORT_80_TCP(_ADDR|_PORT|_PROTO), DB_NAME, DB_ENV_*. */
export function linkEnv(parentName: string, t: LinkTarget): string[] {
  const prefix = t.alias.toUpperCase().replace(/-/g, '_');
  const ports = t.exposed
    .map((k) => {
      const [port = '', proto = 'tcp'] = k.split('/');
      return { port: Number(port), proto };
    })
    .filter((p) => Number.isInteger(p.port) && p.port > 0)
    .sort((a, b) => a.port - b.port || a.proto.localeCompare(b.proto));
  const env: string[] = [];
  const first = ports[0];
  if (first) env.push(`${prefix}_PORT=${first.proto}://${t.ip}:${first.port}`);
  for (const p of ports) {
    const key = `${prefix}_PORT_${p.port}_${p.proto.toUpperCase()}`;
    env.push(
      `${key}=${p.proto}://${t.ip}:${p.port}`,
      `${key}_ADDR=${t.ip}`,
      `${key}_PORT=${p.port}`,
      `${key}_PROTO=${p.proto}`,
    );
  }
  env.push(`${prefix}_NAME=/${parentName}/${t.alias}`);
  for (const v of t.env) {
    const at = v.indexOf('=');
    if (at <= 0) continue;
    const name = v.slice(0, at);
    if (name === 'HOME' || name === 'PATH') continue;
    env.push(`${prefix}_ENV_${name}=${v.slice(at + 1)}`);
  }
  return env;
}

/** `--add-host name:ip` (also `name=ip`) as a hosts line; `host-gateway` is the gateway. */
export function extraHostLine(entry: string, hostGateway: string): string | undefined {
  const m = /^([^:=]+)[:=](.+)$/.exec(entry);
  if (!m) return undefined;
  const ip = m[2] === 'host-gateway' ? hostGateway : (m[2] as string).replace(/^\[(.*)\]$/, '$1');
  return ip === '' ? undefined : `${ip}\t${m[1]}`;
}

export interface ResolvOptions {
  readonly nameservers?: readonly string[];
  readonly search?: readonly string[];
  readonly options?: readonly string[];
}

/**
 * The container's resolv.conf from the host's: loopback name servers dropped (unreachable
 * from the container), `--dns`/`--dns-search`/`--dns-opt` replacing the host's lines, and on
 * a user network the embedded resolver (the network's gateway) as the only server.
 */
export function resolvConf(host: string, own: ResolvOptions, embedded?: string): string {
  const lines = host.split('\n').map((l) => l.trim());
  const hostServers = lines
    .map((l) => /^nameserver\s+(\S+)/.exec(l)?.[1])
    .filter((s): s is string => s !== undefined);
  const hostSearch = lines
    .filter((l) => /^(search|domain)\s/.test(l))
    .flatMap((l) => l.split(/\s+/).slice(1));
  const hostOptions = lines
    .filter((l) => /^options\s/.test(l))
    .flatMap((l) => l.split(/\s+/).slice(1));
  const external = own.nameservers?.length ? own.nameservers : hostServers;
  const usable = external.filter((s) => !/^(127\.|::1$)/.test(s));
  const search = own.search?.length ? own.search.filter((s) => s !== '.') : hostSearch;
  const options = own.options?.length ? own.options : hostOptions;
  const out: string[] = [];
  if (embedded) {
    out.push(`nameserver ${embedded}`);
  } else {
    const servers = usable.length > 0 ? usable : ['8.8.8.8', '8.8.4.4'];
    for (const s of servers) out.push(`nameserver ${s}`);
  }
  if (search.length > 0) out.push(`search ${search.join(' ')}`);
  const opts =
    embedded && !options.some((o) => o.startsWith('ndots:')) ? ['ndots:0', ...options] : options;
  if (opts.length > 0) out.push(`options ${opts.join(' ')}`);
  if (embedded && external.length > 0) out.push('', `# ExtServers: [${external.join(' ')}]`);
  return out.join('\n') + '\n';
}
