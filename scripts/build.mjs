// Compiles the TypeScript to dist/ and records the version and commit beside it.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';

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
