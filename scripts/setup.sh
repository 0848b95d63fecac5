#!/usr/bin/env bash
# One-time setup for a fresh Debian machine: the Debian packages the Python training tests and the
# host-script tests (shellcheck, openssl) need, Node.js from the npm registry when the machine's own
# is older than package.json's `engines` names, then the npm packages from the lock file. Safe to
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

# Node.js: the machine's own when it is new enough (nothing is downloaded then). Otherwise the
# official build that scripts/node/package.json pins, installed from the npm registry into
# scripts/node/node_modules, runs npm's install below and, linked as node_modules/.bin/node, every
# npm script: npm puts node_modules/.bin first on a script's PATH, so `node`, `npx` and every
# `#!/usr/bin/env node` tool a script starts (mocha, tsx, tsc, eslint, the pack) run on it.
runtime=scripts/node/node_modules/.bin/node
if node scripts/node-version.mjs >/dev/null 2>&1; then
  provided=false
else
  provided=true
  if [ ! -x "$runtime" ] || [ scripts/node/package-lock.json -nt scripts/node/node_modules/.package-lock.json ]; then
    echo "setup: $(node --version 2>/dev/null || echo 'no Node.js') is older than package.json's engines; npm ci in scripts/node"
    npm ci --prefix scripts/node --no-audit --no-fund --strict-allow-scripts
  fi
  if [ ! -x "$runtime" ]; then
    echo "setup: the npm registry has no Node.js build for $(uname -sm) in scripts/node/package.json; install Node.js $(node -p 'require("./package.json").engines.node') yourself" >&2
    exit 1
  fi
  PATH="$PWD/scripts/node/node_modules/.bin:$PATH"
fi

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "setup: npm ci"
  npm ci --no-audit --no-fund --strict-allow-scripts
fi

if $provided; then
  ln -sfn ../../scripts/node/node_modules/.bin/node node_modules/.bin/node
elif [ -L node_modules/.bin/node ] && [[ "$(readlink node_modules/.bin/node)" == */scripts/node/* ]]; then
  rm node_modules/.bin/node # the machine's own Node.js is new enough now
fi
echo "setup: npm scripts run on Node.js $(PATH="$PWD/node_modules/.bin:$PATH" node --version)"
