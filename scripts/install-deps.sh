#!/usr/bin/env bash
# Installs, idempotently, what berth needs (apt and npm only) and builds it.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(
  runc crun conmon iproute2 iptables tini busybox-static docker-registry
  golang-github-containers-common openssl zstd util-linux ca-certificates
  python3 make g++ gcc libc6-dev libseccomp-dev attr procps curl
)

missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "berth: installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if ! command -v node >/dev/null 2>&1; then
  echo "berth: Node.js 20 is required (apt-get install nodejs npm)" >&2
  exit 1
fi

# npm ci only when the lock file changed since the last install.
stamp=node_modules/.berth-lock-sha
want=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  npm ci --no-audit --no-fund --loglevel=error
  echo "$want" > "$stamp"
fi

node scripts/build.mjs

# The offline base image (busybox:latest from Debian's busybox-static), as a docker-archive.
[ -f dist/images/busybox.tar ] || node scripts/build-busybox-image.mjs dist/images/busybox.tar >/dev/null
