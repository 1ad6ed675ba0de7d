// Keeps the import direction of ARCHITECTURE.md: cli → client → types/docker; api → types/docker
// + core; daemon → core; core → lib. api/ and daemon/ meet only in daemon/main.ts.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, it } from 'node:test';

const SRC = resolve(
  process.env['BERTH_REPO'] ?? new URL('../../', import.meta.url).pathname,
  'src',
);

/** Which top-level areas each area may import from (besides itself). */
const ALLOWED: Record<string, readonly string[]> = {
  cli: ['client', 'types', 'lib'],
  client: ['types', 'lib'],
  types: [],
  api: ['types', 'core', 'lib'],
  daemon: ['core', 'lib'],
  core: ['lib'],
  lib: [],
};

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return name.endsWith('.ts') && !name.endsWith('.test.ts') && !name.endsWith('.d.ts')
      ? [path]
      : [];
  });
}

function areaOf(path: string): string {
  return relative(SRC, path).split('/')[0] ?? '';
}

function localImports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specs = [
    ...text.matchAll(/(?:import|export)\s[^'"]*?from\s+'([^']+)'|import\(\s*'([^']+)'\s*\)/g),
  ].map((m) => m[1] ?? m[2] ?? '');
  return specs
    .filter((s) => s.startsWith('.'))
    .map((s) => resolve(dirname(file), s.replace(/\.js$/, '.ts')));
}

describe('module boundaries', () => {
  it('every import follows the allowed direction', () => {
    const files = sources(SRC);
    assert.ok(files.length > 20, `found the sources in ${SRC}`);
    const violations: string[] = [];
    for (const file of files) {
      const from = areaOf(file);
      const rel = relative(SRC, file);
      if (rel === 'main.ts') continue;
      for (const target of localImports(file)) {
        const to = areaOf(target);
        if (to === from) continue;
        const compositionRoot = rel === 'daemon/main.ts' && to === 'api';
        if (!compositionRoot && !(ALLOWED[from] ?? []).includes(to)) {
          violations.push(`${rel} imports ${relative(SRC, target)}`);
        }
      }
    }
    assert.deepEqual(violations, []);
  });

  it('only the composition root joins api/ and daemon/', () => {
    const joiners = sources(join(SRC, 'daemon')).filter((f) =>
      localImports(f).some((t) => areaOf(t) === 'api'),
    );
    assert.deepEqual(
      joiners.map((f) => relative(SRC, f)),
      ['daemon/main.ts'],
    );
  });
});
