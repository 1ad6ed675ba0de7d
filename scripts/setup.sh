#!/usr/bin/env bash
# The README's first command: install what berth needs, put `berth` on PATH, and start the
# daemon with its embedded defaults (socket /run/berth.sock, data root /var/lib/berth).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

bash scripts/install-deps.sh
ln -sf "$root/bin/berth" /usr/local/bin/berth

if berth -H unix:///run/berth.sock version >/dev/null 2>&1; then
  echo "berth: the daemon is already running on /run/berth.sock"
else
  mkdir -p /var/log
  setsid nohup "$root/bin/berth" daemon >>/var/log/berth.log 2>&1 </dev/null &
  for _ in $(seq 1 100); do
    if berth version >/dev/null 2>&1; then break; fi
    sleep 0.1
  done
  if ! berth version >/dev/null 2>&1; then
    echo "berth: the daemon did not come up; see /var/log/berth.log" >&2
    tail -n 20 /var/log/berth.log >&2 || true
    exit 1
  fi
  echo "berth: daemon started (pid $(cat /run/berth.pid)), logging to /var/log/berth.log"
fi
if ! berth image inspect busybox >/dev/null 2>&1; then
  berth load -i dist/images/busybox.tar
fi
berth version
# The promise of this command: a container runs next.
berth run --rm busybox echo hello
