#!/usr/bin/env bash
# The main job on the embedded default, from a fresh clone: install, build, start a local
# Waygate server on SQLite, create a tenant, log in, add an integration, list it.
# Everything it writes stays in .waygate-quickstart/ (delete it to start over).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/ensure-node22.sh

[ -d node_modules ] || npm ci --no-audit --no-fund
npm run --silent build

state="$PWD/.waygate-quickstart"
rm -rf "$state"
export WAYGATE_DATA_DIR="$state/data" WAYGATE_CONFIG_DIR="$state/config"
waygate() { node bin/waygate.js "$@"; }

step() { printf '\n\033[1m$ waygate %s\033[0m\n' "$*"; }

step server init --tenant quickstart
key=$(waygate server init --tenant quickstart)

step "server start --port 0 &"
waygate server start --port 0 >"$state/server.url" 2>"$state/server.log" &
server_pid=$!
trap 'kill -TERM $server_pid 2>/dev/null; wait $server_pid 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do [ -s "$state/server.url" ] && break; sleep 0.1; done
url=$(head -n1 "$state/server.url")
echo "$url"

step login --api-url "$url" --with-token
echo "$key" | waygate login --api-url "$url" --with-token
step whoami
waygate whoami
step integrations create fixtures/petstore.definition.json
waygate integrations create fixtures/petstore.definition.json
step integrations list
waygate integrations list
step actions list petstore
waygate actions list petstore
step actions show petstore pets.create
waygate actions show petstore pets.create

printf '\nDone. The server ran on %s with its data in %s.\n' "$url" "$state"
printf 'Run it yourself: WAYGATE_DATA_DIR=%s node bin/waygate.js server start\n' "$state/data"
