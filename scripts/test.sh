#!/usr/bin/env bash
# The README's second command: install what berth needs and run every test (lint, unit,
# integration against real daemons on temporary sockets and data roots).
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh
npx --no-install eslint .
npx --no-install prettier --check . >/dev/null || { npx --no-install prettier --check .; exit 1; }
node scripts/run-tests.mjs all
