import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { ComponentVersion } from '../../core/system.js';

const run = promisify(execFile);

async function probe(binary: string, args: string[]): Promise<string | undefined> {
  try {
    const { stdout } = await run(binary, args, { timeout: 3000 });
    return stdout;
  } catch {
    // A component that is missing or broken is reported as absent; `info` warns about it.
    return undefined;
  }
}

/** Parses `runc --version` / `crun --version` output: "runc version 1.1.5\ncommit: v1.1.5-0-g…". */
export function parseRuntimeVersion(name: string, text: string): ComponentVersion {
  const version = new RegExp(`${name} version (\\S+)`).exec(text)?.[1] ?? 'unknown';
  const commit = /commit: (\S+)/.exec(text)?.[1] ?? '';
  return { name, version, details: commitDetails(commit) };
}

function commitDetails(commit: string): Record<string, string> {
  return commit === '' || commit === 'unknown' ? {} : { GitCommit: commit };
}

/** Versions of the host components berth drives: runc, crun, conmon, tini (the --init binary). */
export async function probeComponents(): Promise<ComponentVersion[]> {
  const [runc, crun, conmon, tini] = await Promise.all([
    probe('runc', ['--version']),
    probe('crun', ['--version']),
    probe('conmon', ['--version']),
    probe('tini', ['--version']),
  ]);
  const out: ComponentVersion[] = [];
  if (runc) out.push(parseRuntimeVersion('runc', runc));
  if (crun) out.push(parseRuntimeVersion('crun', crun));
  if (conmon) {
    const version = /conmon version (\S+)/.exec(conmon)?.[1] ?? 'unknown';
    const commit = /commit: (\S+)/.exec(conmon)?.[1] ?? '';
    out.push({ name: 'conmon', version, details: commitDetails(commit) });
  }
  if (tini) {
    const m = /tini version (\S+)(?: - git\.(\S+))?/.exec(tini);
    out.push({
      name: 'berth-init',
      version: m?.[1] ?? 'unknown',
      details: { GitCommit: m?.[2] ?? '' },
    });
  }
  return out;
}
