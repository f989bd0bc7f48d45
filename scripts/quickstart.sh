#!/usr/bin/env bash
# The main job on the embedded default, from a fresh clone: install, build, start a local
# Waygate server on SQLite, create a tenant, log in, import API docs, browse them, and
# generate a typed client. Everything it writes stays in .waygate-quickstart/ (or in
# WAYGATE_QUICKSTART_DIR), and it stops the server it started however it ends.
# WAYGATE_QUICKSTART_BUILD=0 skips the install and build (tests run it against their build).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/ensure-node22.sh

state="${WAYGATE_QUICKSTART_DIR:-$PWD/.waygate-quickstart}"
rm -rf "$state"
mkdir -p "$state/project"

# Bold step titles on a terminal only, and never under NO_COLOR (https://no-color.org).
if [ -t 1 ] && [ -z "${NO_COLOR:-}" ]; then bold=$'\033[1m' plain=$'\033[0m'; else bold="" plain=""; fi
step() { printf '\n%s$ waygate %s%s\n' "$bold" "$*" "$plain"; }

if [ "${WAYGATE_QUICKSTART_BUILD:-1}" != 0 ]; then
  [ -d node_modules ] || npm ci --no-audit --no-fund
  # tsup lists every chunk it writes; keep that in a log unless the build fails.
  printf 'Building waygate (log: %s)\n' "$state/build.log"
  npm run --silent build >"$state/build.log" 2>&1 || { cat "$state/build.log" >&2; exit 1; }
fi

export WAYGATE_DATA_DIR="$state/data" WAYGATE_CONFIG_DIR="$state/config"
bin="$PWD/bin/waygate.js"
waygate() { node "$bin" "$@"; }

step server init --tenant quickstart
# --json: the key is captured here, so the plain output would leave a blank where it belongs.
key=$(waygate server init --tenant quickstart --json | node -e 'process.stdout.write(JSON.parse(require("node:fs").readFileSync(0, "utf8")).apiKey)')
printf 'Created tenant "quickstart". Its admin API key, shown this once:\n%s\n' "$key"

step "server start --port 0 &"
# node itself in the background (not the waygate function, which would fork a subshell):
# $! is then the server's own pid, which the trap stops on any exit, Ctrl-C included.
node "$bin" server start --port 0 >"$state/server.url" 2>"$state/server.log" &
server_pid=$!
stop_server() { kill -TERM "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null || true; }
trap stop_server EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
for _ in $(seq 1 100); do [ -s "$state/server.url" ] && break; sleep 0.1; done
url=$(head -n1 "$state/server.url")
[ -n "$url" ] || { cat "$state/server.log" >&2; exit 1; }
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

stop_server
printf '\nDone. The server ran on %s and is stopped; its data is in %s, the generated client in %s.\n' "$url" "$state/data" "$state/project/waygate"
printf 'Run it again yourself: WAYGATE_DATA_DIR=%s node bin/waygate.js server start\n' "$state/data"
