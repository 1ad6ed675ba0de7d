// `berth cp` (both directions, `-` for a tar on stdin or stdout) and `berth export`.

import { createWriteStream } from 'node:fs';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ApiError } from '../../client/client.js';
import {
  copyFromContainer,
  copyToContainer,
  exportContainer,
  statContainerPath,
} from '../../client/archive.js';
import { flagBool, flagString } from '../../lib/flags.js';
import { isAbsolute } from 'node:path';
import { joinPath, splitPathDirEntry } from '../../lib/scoped-fs/go-path.js';
import type { ContainerPathStat } from '../../types/docker/containers.js';
import type { CliContext, Command } from '../command.js';
import {
  copyInfoDestinationPath,
  copyInfoSourcePath,
  CopyError,
  getRebaseName,
  packLocal,
  prepareArchiveCopy,
  resolveLocalPath,
  splitCpArg,
  unpackLocal,
  type CopyInfo,
  type Rename,
} from '../host-copy.js';
import { humanSize } from '../render/table.js';

/** Go's os.FileMode type bits, as the path stat header carries them. */
const MODE_DIR = 2 ** 31;
const MODE_SYMLINK = 2 ** 27;
const MODE_DEVICE = 2 ** 26;
const MODE_IRREGULAR = 2 ** 19;

interface CopyConfig {
  readonly container: string;
  readonly source: string;
  readonly destination: string;
  readonly followLink: boolean;
  readonly copyUidGid: boolean;
  /** Print "Successfully copied ..." (when stdout is a terminal, as the Docker CLI). */
  readonly summary: boolean;
}

function hasMode(stat: ContainerPathStat, bit: number): boolean {
  return Math.floor(stat.mode / bit) % 2 === 1;
}

/** The symlink `stat` describes, as a path: absolute targets as they are, others joined to `path`'s directory. */
function linkTargetOf(path: string, stat: ContainerPathStat): string {
  return isAbsolute(stat.linkTarget)
    ? stat.linkTarget
    : joinPath(splitPathDirEntry(path).dir, stat.linkTarget);
}

/** Counts what goes through a stream (the size the summary reports). */
function counted(source: NodeJS.ReadableStream, count: { bytes: number }): Readable {
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      count.bytes += chunk.length;
      callback(null, chunk);
    },
  });
  source.on('error', (err: Error) => counter.destroy(err));
  return source.pipe(counter);
}

async function copyFrom(ctx: CliContext, config: CopyConfig): Promise<void> {
  const client = ctx.client();
  const destination = config.destination === '-' ? '-' : resolveLocalPath(config.destination);
  let source = config.source;
  let rebaseName = '';
  if (config.followLink) {
    const stat = await statContainerPath(client, config.container, source).catch((err: unknown) => {
      if (err instanceof ApiError) return undefined; // the GET below reports it
      throw err;
    });
    if (stat !== undefined && hasMode(stat, MODE_SYMLINK)) {
      ({ path: source, rebaseName } = getRebaseName(source, linkTargetOf(source, stat)));
    }
  }
  const { stat, content } = await copyFromContainer(client, config.container, source, ctx.signal);
  if (destination === '-') {
    await pipeline(content, ctx.stdout);
    return;
  }
  const sourceInfo: CopyInfo = {
    path: source,
    exists: true,
    isDir: hasMode(stat, MODE_DIR),
    rebaseName,
  };
  const renames: Rename[] = [];
  if (rebaseName !== '') renames.push({ from: splitPathDirEntry(source).base, to: rebaseName });
  const { dstDir, rename } = prepareArchiveCopy(
    sourceInfo,
    await copyInfoDestinationPath(destination),
  );
  if (rename) renames.push(rename);
  const count = { bytes: 0 };
  await unpackLocal(counted(content, count), dstDir, renames, ctx.signal);
  if (config.summary)
    ctx.stderr.write(`Successfully copied ${humanSize(count.bytes)} to ${destination}\n`);
}

async function copyTo(ctx: CliContext, config: CopyConfig): Promise<void> {
  const client = ctx.client();
  const source = config.source === '-' ? '-' : resolveLocalPath(config.source);
  const asked = config.destination;
  let destination: CopyInfo = { path: asked, exists: false, isDir: false, rebaseName: '' };
  // A stat that fails is not an error: the copy may still create the destination.
  let stat = await statContainerPath(client, config.container, asked).catch(() => undefined);
  if (stat !== undefined && hasMode(stat, MODE_SYMLINK)) {
    const target = linkTargetOf(asked, stat);
    destination = { ...destination, path: target };
    stat = await statContainerPath(client, config.container, target).catch(() => undefined);
  }
  if (stat !== undefined) {
    if (hasMode(stat, MODE_DEVICE) || hasMode(stat, MODE_IRREGULAR)) {
      const what = hasMode(stat, MODE_DEVICE) ? 'got a device' : 'got an irregular file';
      throw new CopyError(
        `destination "${config.container}:${asked}" must be a directory or a regular file: ${what}`,
      );
    }
    destination = { ...destination, exists: true, isDir: hasMode(stat, MODE_DIR) };
  }
  let content: NodeJS.ReadableStream;
  let dstDir: string;
  if (source === '-') {
    if (!destination.isDir)
      throw new CopyError(`destination "${config.container}:${asked}" must be a directory`);
    content = process.stdin;
    dstDir = destination.path;
  } else {
    const sourceInfo = await copyInfoSourcePath(source, config.followLink);
    const prepared = prepareArchiveCopy(sourceInfo, destination);
    const top = sourceInfo.rebaseName || splitPathDirEntry(sourceInfo.path).base;
    content = await packLocal(sourceInfo, prepared.rename?.to ?? top);
    dstDir = prepared.dstDir;
  }
  const count = { bytes: 0 };
  await copyToContainer(client, config.container, dstDir, counted(content, count), {
    copyUidGid: config.copyUidGid,
    signal: ctx.signal,
  });
  if (config.summary) {
    ctx.stderr.write(
      `Successfully copied ${humanSize(count.bytes)} to ${config.container}:${destination.path}\n`,
    );
  }
}

export const cpCommand: Command = {
  name: 'cp',
  summary: 'Copy files/folders between a container and the local filesystem',
  usage: `berth cp [OPTIONS] CONTAINER:SRC_PATH DEST_PATH|-
        berth cp [OPTIONS] SRC_PATH|- CONTAINER:DEST_PATH`,
  flags: [
    { name: 'follow-link', short: 'L', type: 'bool', help: 'Always follow symlinks in SRC_PATH' },
    {
      name: 'archive',
      short: 'a',
      type: 'bool',
      help: 'Archive mode (copy all uid/gid information)',
    },
    {
      name: 'quiet',
      short: 'q',
      type: 'bool',
      help: 'Suppress progress output during copy. Progress output is automatically suppressed if no terminal is attached',
    },
  ],
  async run(ctx, flags) {
    if (flags.args.length !== 2) throw new Error('"berth cp" requires exactly 2 arguments.');
    const [sourceArg = '', destinationArg = ''] = flags.args;
    if (sourceArg === '') throw new Error('source can not be empty');
    if (destinationArg === '') throw new Error('destination can not be empty');
    const source = splitCpArg(sourceArg);
    const destination = splitCpArg(destinationArg);
    if (source.container !== '' && destination.container !== '')
      throw new Error('copying between containers is not supported');
    if (source.container === '' && destination.container === '')
      throw new Error('must specify at least one container source');
    const config: CopyConfig = {
      container: source.container || destination.container,
      source: source.path,
      destination: destination.path,
      followLink: flagBool(flags, 'follow-link'),
      copyUidGid: flagBool(flags, 'archive'),
      summary: !flagBool(flags, 'quiet') && process.stdout.isTTY === true,
    };
    if (source.container !== '') await copyFrom(ctx, config);
    else await copyTo(ctx, config);
    return 0;
  },
};

export const exportCommand: Command = {
  name: 'export',
  summary: "Export a container's filesystem as a tar archive",
  usage: 'berth export [OPTIONS] CONTAINER',
  maxArgs: 1,
  flags: [
    { name: 'output', short: 'o', type: 'string', help: 'Write to a file, instead of STDOUT' },
  ],
  async run(ctx, flags) {
    const [container] = flags.args;
    if (!container) throw new Error('"berth export" requires exactly 1 argument.');
    const output = flagString(flags, 'output');
    if (output === '' && process.stdout.isTTY) {
      throw new Error('cowardly refusing to save to a terminal. Use the -o flag or redirect');
    }
    const content = await exportContainer(ctx.client(), container, ctx.signal);
    await pipeline(content, output === '' ? ctx.stdout : createWriteStream(output));
    return 0;
  },
};
