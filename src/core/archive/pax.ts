// PAX extended-header records, binary-safe: SCHILY.xattr.* values are raw bytes (as Go's
// archive/tar and GNU tar write them), which a UTF-8 decoding would corrupt.

export const XATTR_PREFIX = 'SCHILY.xattr.';

/** Decodes `<length> <key>=<value>\n` records; stops at the first malformed one. */
export function decodePaxRecords(data: Buffer): Map<string, Buffer> {
  const records = new Map<string, Buffer>();
  let offset = 0;
  while (offset < data.length) {
    const space = data.indexOf(0x20, offset);
    if (space < 0) break;
    const length = Number.parseInt(data.toString('latin1', offset, space), 10);
    const end = offset + length;
    if (!Number.isSafeInteger(length) || length <= 0 || end > data.length) break;
    const equals = data.indexOf(0x3d, space + 1);
    if (equals < 0 || equals >= end || data[end - 1] !== 0x0a) break;
    records.set(data.toString('utf8', space + 1, equals), data.subarray(equals + 1, end - 1));
    offset = end;
  }
  return records;
}

/** Encodes records as `<length> <key>=<value>\n`, the length counting its own digits. */
export function encodePaxRecords(records: ReadonlyArray<readonly [string, Buffer]>): Buffer {
  const parts: Buffer[] = [];
  for (const [key, value] of records) {
    const body = Buffer.concat([Buffer.from(` ${key}=`), value, Buffer.from('\n')]);
    let length = body.length + String(body.length).length;
    if (String(length).length !== String(body.length).length) length += 1;
    parts.push(Buffer.from(String(length)), body);
  }
  return Buffer.concat(parts);
}
