#!/usr/bin/env bash
# The main job on the embedded default, from a fresh clone: install, build, start a local
# Waygate server on SQLite, create a tenant, log in, import API docs, browse them, and
# generate a typed client. Everything it writes stays in .waygate-quickstart/.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/ensure-node22.sh

[ -d node_modules ] || npm ci --no-audit --no-fund
npm run --silent build

state="$PWD/.waygate-quickstart"
rm -rf "$state"
mkdir -p "$state/project"
export WAYGATE_DATA_DIR="$state/data" WAYGATE_CONFIG_DIR="$state/config"
bin="$PWD/bin/waygate.js"
waygate() { node "$bin" "$@"; }
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
step scrape fixtures/scrape/todo-v1.yaml --slug todo
waygate scrape fixtures/scrape/todo-v1.yaml --slug todo
step integrations list
waygate integrations list
step actions list todo
waygate actions list todo
step actions show todo todos.create
waygate actions show todo todos.create
step apps create web
waygate apps create web
cd "$state/project"
step init --app web
waygate init --app web
step pin web todo@1 --save
waygate pin web todo@1 --save
step generate
waygate generate
step snippets todo todos.create --lang curl
waygate snippets todo todos.create --lang curl

printf '\nDone. The server ran on %s with its data in %s; the generated client is in %s.\n' "$url" "$state/data" "$state/project/waygate"
printf 'Run it yourself: WAYGATE_DATA_DIR=%s node bin/waygate.js server start\n' "$state/data"
