// Compiles the TypeScript to dist/ and records the version and commit beside it.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';

const root = new URL('..', import.meta.url).pathname;
execFileSync(
  process.execPath,
  [`${root}node_modules/typescript/bin/tsc`, '-p', `${root}tsconfig.json`],
  {
    stdio: 'inherit',
  },
);
const pkg = JSON.parse(readFileSync(`${root}package.json`, 'utf8'));
let gitCommit = 'unknown';
try {
  gitCommit = execFileSync('git', ['-C', root, 'rev-parse', '--short=7', 'HEAD'], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  }).trim();
} catch {
  // not a git checkout (a tarball): the commit stays unknown
}
mkdirSync(`${root}dist`, { recursive: true });
writeFileSync(
  `${root}dist/build-info.json`,
  JSON.stringify({ version: pkg.version, gitCommit, buildTime: new Date().toISOString() }) + '\n',
);

// berth-exec (native/berth-exec.c): exec without runc where it can (src/core/runtime/native-exec.ts).
// Static, so that it needs nothing from the host once running from its sealed copy.
mkdirSync(`${root}dist/native`, { recursive: true });
if (existsSync('/usr/include/seccomp.h')) {
  execFileSync(
    'gcc',
    [
      '-O2',
      '-Wall',
      '-Wextra',
      '-Werror',
      '-static',
      '-o',
      `${root}dist/native/berth-exec`,
      `${root}native/berth-exec.c`,
      '-lseccomp',
    ],
    { stdio: 'inherit' },
  );
} else {
  console.warn('build: libseccomp-dev is missing: no berth-exec, exec goes through runc');
}
