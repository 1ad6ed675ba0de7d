// Resolving a container's `--user` and `--group-add` against the image's /etc/passwd and
// /etc/group, as Docker does (runc's libcontainer/user GetExecUser and GetAdditionalGroups).
// Pure: the caller reads the two files from the container's root filesystem (resolved inside
// it) and passes their text; a missing file is the empty string.

import { BerthError } from '../errors.js';

export interface ResolvedUser {
  uid: number;
  gid: number;
  /** Supplementary groups: the user's memberships (implicit form only), then --group-add. */
  additionalGids: number[];
  /** The passwd entry's home directory, `/` when there is none. */
  home: string;
}

interface PasswdEntry {
  name: string;
  uid: number;
  gid: number;
  home: string;
}

interface GroupEntry {
  name: string;
  gid: number;
  members: string[];
}

const MAX_ID = 2147483647;
const RANGE_ERROR = 'uids and gids must be in range 0-2147483647';
const NO_PASSWD_ENTRIES = 'no matching entries in passwd file';
const NO_GROUP_ENTRIES = 'no matching entries in group file';

/** Go's strconv.Atoi on a decimal: an optional sign and digits, nothing else. */
function atoi(text: string): number | undefined {
  return /^[+-]?\d+$/.test(text) ? Number(text) : undefined;
}

/** A field that is not a number reads as 0, as in runc's parser. */
function numberField(text: string | undefined): number {
  return atoi(text ?? '') ?? 0;
}

function lines(text: string): string[][] {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => line.split(':'));
}

/** Parses /etc/passwd: `name:password:uid:gid:gecos:home:shell`. */
export function parsePasswd(text: string): PasswdEntry[] {
  return lines(text).map((f) => ({
    name: f[0] ?? '',
    uid: numberField(f[2]),
    gid: numberField(f[3]),
    home: f[5] ?? '',
  }));
}

/** Parses /etc/group: `name:password:gid:member,member`. */
export function parseGroup(text: string): GroupEntry[] {
  return lines(text).map((f) => ({
    name: f[0] ?? '',
    gid: numberField(f[2]),
    members: (f[3] ?? '').split(',').filter((m) => m !== ''),
  }));
}

function checkRange(id: number): number {
  if (id < 0 || id > MAX_ID) throw new BerthError('invalid-argument', RANGE_ERROR);
  return id;
}

/**
 * The uid, gid, supplementary groups and home for a `--user` value:
 * - `''`: root (uid 0) as passwd describes it, with root's group memberships;
 * - `name` or `uid`: the passwd entry (first match); a uid with no entry is fine (gid 0);
 * - `name:group`, `uid:gid`, `uid:groupname`: the group replaces the gid, and then (as in
 *   Docker) the user's memberships are not added.
 * `groupAdd` entries (names or gids) are appended. Unknown names are invalid-argument errors
 * worded as Docker's (`unable to find user nobody: no matching entries in passwd file`).
 */
export function resolveUser(
  user: string,
  passwd: string,
  group: string,
  groupAdd: readonly string[] = [],
): ResolvedUser {
  const colon = user.indexOf(':');
  const userArg = colon === -1 ? user : user.slice(0, colon);
  const rest = colon === -1 ? '' : user.slice(colon + 1);
  const groupArg = rest.split(':')[0] ?? '';
  const uidArg = atoi(userArg);
  const gidArg = atoi(groupArg);

  let uid = 0;
  let gid = 0;
  let home = '/';
  let additionalGids: number[] = [];

  const match = parsePasswd(passwd).find((u) => {
    if (userArg === '') return u.uid === 0;
    if (uidArg !== undefined) return u.uid === uidArg;
    return u.name === userArg;
  });
  let matchedName = '';
  if (match) {
    matchedName = match.name;
    uid = match.uid;
    gid = match.gid;
    home = match.home || '/';
  } else if (userArg !== '') {
    if (uidArg === undefined) {
      throw new BerthError(
        'invalid-argument',
        `unable to find user ${userArg}: ${NO_PASSWD_ENTRIES}`,
      );
    }
    uid = checkRange(uidArg);
  }

  const groups = parseGroup(group);
  if (groupArg !== '') {
    const found = groups.find((g) =>
      gidArg !== undefined ? g.gid === gidArg : g.name === groupArg,
    );
    if (found) {
      gid = found.gid;
    } else if (gidArg === undefined) {
      throw new BerthError(
        'invalid-argument',
        `unable to find group ${groupArg}: ${NO_GROUP_ENTRIES}`,
      );
    } else {
      gid = checkRange(gidArg);
    }
  } else if (matchedName !== '') {
    additionalGids = groups.filter((g) => g.members.includes(matchedName)).map((g) => g.gid);
  }

  // As Docker gives them: the primary group first, then the memberships and --group-add.
  return {
    uid,
    gid,
    additionalGids: [...new Set([gid, ...additionalGids, ...additionalGroups(groupAdd, groups)])],
    home,
  };
}

/** The gids of `--group-add` entries: group names or gids from /etc/group, or plain numbers. */
function additionalGroups(groupAdd: readonly string[], groups: readonly GroupEntry[]): number[] {
  const gids: number[] = [];
  for (const wanted of groupAdd) {
    const found = groups.find((g) => g.name === wanted || String(g.gid) === wanted);
    if (found) {
      if (!gids.includes(found.gid)) gids.push(found.gid);
      continue;
    }
    const gid = atoi(wanted);
    if (gid === undefined) {
      throw new BerthError(
        'invalid-argument',
        `Unable to find group ${wanted}: ${NO_GROUP_ENTRIES}`,
      );
    }
    if (!gids.includes(checkRange(gid))) gids.push(gid);
  }
  return gids;
}
