// Runs the compiled tests with node's test runner: `unit` (src/**/*.test.js, no root),
// `integration` (test/integration/**, root, real daemons), or `all`.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const which = process.argv[2] ?? 'all';

function find(dir) {
  let out = [];
  let entries;
  try {
    entries = readdirSync(dir);
  } catch {
    return out;
  }
  for (const name of entries) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out = out.concat(find(path));
    else if (name.endsWith('.test.js')) out.push(path);
  }
  return out.sort();
}

const unit = find(join(root, 'dist/src'));
const integration = find(join(root, 'dist/test'));
let files = [];
if (which === 'unit' || which === 'all') files = files.concat(unit);
if (which === 'integration' || which === 'all') {
  if (process.getuid?.() !== 0) {
    console.error('integration tests need root; run them as root (bash scripts/test.sh)');
    process.exit(1);
  }
  files = files.concat(integration);
}
if (files.length === 0) {
  console.error('no test files found: run `node scripts/build.mjs` first');
  process.exit(1);
}
const result = spawnSync(
  process.execPath,
  ['--test', '--test-concurrency=2', '--test-timeout=300000', ...files],
  {
    stdio: 'inherit',
    env: { ...process.env, BERTH_REPO: root },
  },
);
process.exit(result.status ?? 1);
