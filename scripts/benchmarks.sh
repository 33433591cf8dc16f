#!/usr/bin/env bash
# Reproduces BENCHMARKS.md: the machine's ceilings (Go micro-benchmarks),
# then `cognate bench` against Cognate on SQLite and PostgreSQL (fsync on),
# moto's server and cognito-local, in one run on this machine, at
# concurrency 1 and 64, for UpdateUserAttributes, GetUser, InitiateAuth
# (USER_PASSWORD_AUTH) and AdminCreateUser; then Cognate at two pool sizes.
#
#   bash scripts/benchmarks.sh [DURATION]      # default 10s per run
#
# Everything listens on 127.0.0.1. Needs python3 with moto (installed on
# these machines), npm (cognito-local is installed into a temp dir) and
# PostgreSQL's binaries (.ci/postgres.sh). Results go to
# bench-results/<timestamp>/ as JSON, plus summary.md.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="/usr/local/go/bin:/root/.pyenv/shims:$PATH" AWS_EC2_METADATA_DISABLED=true

duration=${1:-10s}
out=$PWD/bench-results/$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p "$out"
work=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  bash .ci/postgres.sh stop >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

freeport() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
wait_port() { for _ in $(seq 100); do (echo >/dev/tcp/127.0.0.1/"$1") 2>/dev/null && return 0; sleep 0.1; done; echo "port $1 never opened" >&2; return 1; }

echo "== machine"
{ uname -a; nproc; grep -m1 "model name" /proc/cpuinfo || true; go version; } | tee "$out/machine.txt"

echo "== ceilings (go test -bench)"
go test -run XXX -bench 'Ceiling' -benchtime 2s ./internal/bench/ | tee "$out/ceilings.txt"
go test -run XXX -bench 'DecodeValidate|AttributeRules|UpdateUser$|VerifyAccess|UpdateUserAttributes|GetUser' -benchtime 2s \
  ./internal/api/ ./internal/user/ ./internal/store/sqlstore/ ./internal/token/ ./internal/server/ | tee "$out/hotpath.txt"

go build -o "$work/cognate" ./cmd/cognate

start_cognate() { # name db
  local port; port=$(freeport)
  "$work/cognate" serve --addr "127.0.0.1:$port" --db "$2" --password-hashing fast --log-level warn >"$out/$1.log" 2>&1 &
  pids+=($!); wait_port "$port"; echo "http://127.0.0.1:$port"
}

declare -A endpoints
endpoints[cognate-sqlite]=$(start_cognate cognate-sqlite "$work/bench.db")

# PostgreSQL with durability on (the test cluster turns it off for speed).
. .ci/postgres.sh start >/dev/null
psql "$COGNATE_TEST_POSTGRES_DSN" -qc "ALTER SYSTEM SET fsync = on" -c "ALTER SYSTEM SET synchronous_commit = on" -c "SELECT pg_reload_conf()" >/dev/null
psql "$COGNATE_TEST_POSTGRES_DSN" -qc "CREATE DATABASE bench" >/dev/null
endpoints[cognate-postgres]=$(start_cognate cognate-postgres "${COGNATE_TEST_POSTGRES_DSN/\/postgres\?/\/bench?}")

if python3 -c 'import moto' 2>/dev/null; then
  port=$(freeport)
  python3 -m moto.server -H 127.0.0.1 -p "$port" >"$out/moto.log" 2>&1 &
  pids+=($!); wait_port "$port"; endpoints[moto]="http://127.0.0.1:$port"
fi
if npm install --prefix "$work/cl" cognito-local --no-audit --no-fund --loglevel=error >/dev/null 2>&1; then
  port=$(freeport)
  (cd "$work/cl" && PORT=$port node_modules/.bin/cognito-local >"$out/cognito-local.log" 2>&1) &
  pids+=($!); wait_port "$port"; endpoints[cognito-local]="http://127.0.0.1:$port"
fi

for target in cognate-sqlite cognate-postgres moto cognito-local; do
  url=${endpoints[$target]:-}
  [ -n "$url" ] || { echo "== $target: not available, skipped"; continue; }
  for op in UpdateUserAttributes GetUser InitiateAuth AdminCreateUser; do
    for c in 1 64; do
      echo "== $target $op concurrency $c"
      "$work/cognate" bench --endpoint "$url" --operation "$op" --users 100 --concurrency "$c" \
        --duration "$duration" --json >"$out/$target-$op-c$c.json" 2>>"$out/bench.log" || echo "   failed (see bench.log)"
    done
  done
done

echo "== pool size (Cognate on SQLite)"
for users in 1000 10000; do
  "$work/cognate" bench --endpoint "${endpoints[cognate-sqlite]}" --operation UpdateUserAttributes --users "$users" \
    --concurrency 64 --duration "$duration" --setup-concurrency 16 --json >"$out/size-$users-update.json" 2>>"$out/bench.log" || true
  "$work/cognate" bench --endpoint "${endpoints[cognate-sqlite]}" --operation ListUsers --users "$users" \
    --concurrency 8 --duration "$duration" --setup-concurrency 16 --json >"$out/size-$users-listusers.json" 2>>"$out/bench.log" || true
done
ps -o rss= -p "${pids[0]}" | awk '{printf "cognate-sqlite RSS after the run: %.1f MiB\n", $1/1024}' | tee "$out/rss.txt"
du -h "$work"/bench.db* | tee "$out/dbsize.txt"

python3 - "$out" <<'PY' | tee "$out/summary.md"
import glob, json, os, sys
out = sys.argv[1]
rows = {}
for f in glob.glob(os.path.join(out, "*-c*.json")):
    target, op, c = os.path.basename(f)[:-5].rsplit("-", 2)
    try:
        rows[(op, c, target)] = json.load(open(f))
    except Exception:
        pass
targets = ["cognate-sqlite", "cognate-postgres", "moto", "cognito-local"]
print("| operation | concurrency | " + " | ".join(targets) + " |")
print("|---|---|" + "---|" * len(targets))
for op in ["UpdateUserAttributes", "GetUser", "InitiateAuth", "AdminCreateUser"]:
    for c in ["c1", "c64"]:
        cells = []
        for t in targets:
            r = rows.get((op, c, t))
            if not r:
                cells.append("–")
                continue
            err = r.get("errors", 0) + r.get("transport_errors", 0)
            cells.append(f"{r['requests_per_second']:,.0f}/s, p99 {r['latency_ms']['p99']:.1f} ms" + (f", {err} errors" if err else ""))
        print(f"| {op} | {c[1:]} | " + " | ".join(cells) + " |")
print()
for f in sorted(glob.glob(os.path.join(out, "size-*.json"))):
    try:
        r = json.load(open(f))
    except Exception:
        continue
    print(f"- {os.path.basename(f)[:-5]}: {r['requests_per_second']:,.0f}/s, p99 {r['latency_ms']['p99']:.1f} ms, setup {r['setup_seconds']:.1f} s")
PY
echo "results in $out"
