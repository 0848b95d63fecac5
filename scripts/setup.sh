#!/usr/bin/env bash
# One-time setup for a fresh Debian machine: the Debian packages the Python training tests and the
# host-script tests (shellcheck, openssl) need, then the npm packages from the lock file. Safe to
# run again.
set -euo pipefail
cd "$(dirname "$0")/.."

debs=(python3 python3-torch python3-torchvision python3-pil python3-pytest shellcheck openssl)
missing=()
for p in "${debs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  sudo_cmd=()
  [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
  echo "setup: installing Debian packages: ${missing[*]}"
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "setup: npm ci"
  npm ci --no-audit --no-fund
fi
