// The few DNS messages the embedded resolver needs: a query read, an answer of A records
// (or an empty answer, NXDOMAIN, SERVFAIL) written. RFC 1035, no EDNS.

export const TYPE_A = 1;
export const TYPE_AAAA = 28;
export const RCODE_OK = 0;
export const RCODE_SERVFAIL = 2;
export const RCODE_NXDOMAIN = 3;

export interface DnsQuery {
  readonly id: number;
  readonly flags: number;
  readonly name: string;
  readonly type: number;
  readonly qclass: number;
  /** The question section as received, echoed in the answer. */
  readonly question: Buffer;
}

/** The first question of a query; undefined for anything that is not a well-formed query. */
export function parseQuery(msg: Buffer): DnsQuery | undefined {
  if (msg.length < 12) return undefined;
  const flags = msg.readUInt16BE(2);
  if (flags & 0x8000) return undefined; // a response
  if (msg.readUInt16BE(4) < 1) return undefined;
  const labels: string[] = [];
  let at = 12;
  for (let hops = 0; hops < 128; hops++) {
    if (at >= msg.length) return undefined;
    const len = msg[at] as number;
    if (len === 0) {
      at += 1;
      break;
    }
    if (len > 63 || at + 1 + len > msg.length) return undefined;
    labels.push(msg.toString('latin1', at + 1, at + 1 + len));
    at += 1 + len;
  }
  if (at + 4 > msg.length) return undefined;
  return {
    id: msg.readUInt16BE(0),
    flags,
    name: labels.join('.'),
    type: msg.readUInt16BE(at),
    qclass: msg.readUInt16BE(at + 2),
    question: msg.subarray(12, at + 4),
  };
}

/** The answer to `q`: A records for `addresses` (IPv4 text) with `ttl`, and `rcode`. */
export function buildAnswer(
  q: DnsQuery,
  rcode: number,
  addresses: readonly string[] = [],
  ttl = 600,
): Buffer {
  const header = Buffer.alloc(12);
  header.writeUInt16BE(q.id, 0);
  // QR, the query's opcode and RD, AA, RA; the rcode.
  const flags = 0x8000 | (q.flags & 0x7900) | 0x0400 | 0x0080 | (rcode & 0xf);
  header.writeUInt16BE(flags, 2);
  header.writeUInt16BE(1, 4);
  header.writeUInt16BE(addresses.length, 6);
  const answers = addresses.map((a) => {
    const rr = Buffer.alloc(16);
    rr.writeUInt16BE(0xc00c, 0); // the question's name
    rr.writeUInt16BE(TYPE_A, 2);
    rr.writeUInt16BE(1, 4);
    rr.writeUInt32BE(ttl, 6);
    rr.writeUInt16BE(4, 10);
    a.split('.').forEach((b, i) => rr.writeUInt8(Number(b) & 255, 12 + i));
    return rr;
  });
  return Buffer.concat([header, q.question, ...answers]);
}

/** A query for `name` (tests and probes). */
export function buildQuery(id: number, name: string, type = TYPE_A): Buffer {
  const parts = name.split('.').filter((l) => l !== '');
  const body = Buffer.concat([
    ...parts.map((l) => Buffer.concat([Buffer.from([l.length]), Buffer.from(l, 'latin1')])),
    Buffer.from([0, type >> 8, type & 255, 0, 1]),
  ]);
  const header = Buffer.alloc(12);
  header.writeUInt16BE(id, 0);
  header.writeUInt16BE(0x0100, 2);
  header.writeUInt16BE(1, 4);
  return Buffer.concat([header, body]);
}
