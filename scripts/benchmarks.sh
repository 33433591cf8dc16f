#!/usr/bin/env bash
# Reproduces BENCHMARKS.md: the machine's ceilings (Go micro-benchmarks),
# then `cognate bench` against Cognate on SQLite and PostgreSQL (fsync on),
# moto's server and cognito-local, in one run on this machine, at
# concurrency 1 and 64, for UpdateUserAttributes, GetUser, InitiateAuth
# (USER_PASSWORD_AUTH) and AdminCreateUser; two Cognate instances on one
# PostgreSQL; a CPU profile of Cognate under load; then Cognate with pools
# of 1,000, 100,000 and 1,000,000 users.
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

start_cognate() { # name db [flags…]
  local port name=$1 db=$2; shift 2; port=$(freeport)
  "$work/cognate" serve --addr "127.0.0.1:$port" --db "$db" --password-hashing fast --log-level warn "$@" >"$out/$name.log" 2>&1 &
  pids+=($!); wait_port "$port"; echo "http://127.0.0.1:$port"
}

declare -A endpoints
endpoints[cognate-sqlite]=$(start_cognate cognate-sqlite "$work/bench.db" --pprof)

# PostgreSQL with durability on (the test cluster turns it off for speed).
COGNATE_PG_DURABLE=1 . .ci/postgres.sh start >/dev/null
[ "$(psql "$COGNATE_TEST_POSTGRES_DSN" -Atc "SHOW fsync")$(psql "$COGNATE_TEST_POSTGRES_DSN" -Atc "SHOW synchronous_commit")" = onon ] ||
  { echo "PostgreSQL is not durable (fsync/synchronous_commit off)" >&2; exit 1; }
psql "$COGNATE_TEST_POSTGRES_DSN" -qc "CREATE DATABASE bench" >/dev/null
pgbench="${COGNATE_TEST_POSTGRES_DSN/\/postgres\?/\/bench?}"
endpoints[cognate-postgres]=$(start_cognate cognate-postgres "$pgbench")
# A second instance on the same database, as behind a load balancer: the
# same --public-url, so that each accepts the other's tokens (same issuer).
endpoints[cognate-postgres-2]=$(start_cognate cognate-postgres-2 "$pgbench" --public-url "${endpoints[cognate-postgres]}")

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

echo "== two Cognate instances on one PostgreSQL"
"$work/cognate" bench --endpoint "${endpoints[cognate-postgres]},${endpoints[cognate-postgres-2]}" --operation UpdateUserAttributes \
  --users 100 --concurrency 64 --duration "$duration" --json >"$out/pg2-UpdateUserAttributes.json" 2>>"$out/bench.log" || echo "   failed (see bench.log)"

echo "== CPU profile of Cognate (SQLite) under UpdateUserAttributes and GetUser at concurrency 64"
for op in UpdateUserAttributes GetUser; do
  "$work/cognate" bench --endpoint "${endpoints[cognate-sqlite]}" --operation "$op" --users 100 --concurrency 64 \
    --duration 12s --warmup 1s >/dev/null 2>>"$out/bench.log" &
  bp=$!
  sleep 3
  curl -sf "${endpoints[cognate-sqlite]}/debug/pprof/profile?seconds=6" -o "$out/profile-$op.pb.gz"
  wait $bp || true
  go tool pprof -top -nodecount=40 "$work/cognate" "$out/profile-$op.pb.gz" >"$out/profile-$op.txt" 2>/dev/null || true
done
for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
pids=()

echo "== pool size (Cognate on SQLite): 1,000, 100,000 and 1,000,000 users"
# The run's 1,000 users are set up through the API; the rest of a pool is
# filled by `cognate seed fill` (the API would take an hour for a million).
for size in 1000 100000 1000000; do
  db="$work/size-$size.db"
  pool=()
  if [ "$size" -gt 1000 ]; then
    pool=(--pool "$("$work/cognate" seed fill --db "$db" --users $((size - 1000)) 2>>"$out/bench.log")")
  fi
  port=$(freeport)
  started=$(date +%s%N)
  "$work/cognate" serve --addr "127.0.0.1:$port" --db "$db" --password-hashing fast --log-level warn >"$out/size-$size.log" 2>&1 &
  spid=$!
  until curl -sf "http://127.0.0.1:$port/readyz" >/dev/null; do sleep 0.005; done
  echo "$(( ($(date +%s%N) - started) / 1000000 ))" >"$out/size-$size-startup-ms.txt"
  "$work/cognate" bench --endpoint "http://127.0.0.1:$port" --operation UpdateUserAttributes --users 1000 "${pool[@]}" \
    --concurrency 64 --duration "$duration" --setup-concurrency 16 --json >"$out/size-$size-update.json" 2>>"$out/bench.log" || true
  "$work/cognate" bench --endpoint "http://127.0.0.1:$port" --operation ListUsers --users 1000 "${pool[@]}" \
    --concurrency 8 --duration "$duration" --setup-concurrency 16 --json >"$out/size-$size-listusers.json" 2>>"$out/bench.log" || true
  ps -o rss= -p "$spid" | awk '{printf "%.1f\n", $1/1024}' >"$out/size-$size-rss-mib.txt"
  kill "$spid"; wait "$spid" 2>/dev/null || true
  du -cb "$db"* | tail -1 | awk '{printf "%.0f\n", $1/1e6}' >"$out/size-$size-db-mb.txt"
  rm -f "$db"*
done

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
def read(name):
    try:
        return open(os.path.join(out, name)).read().strip()
    except OSError:
        return "?"
r = rows.get(("UpdateUserAttributes", "c64", "cognate-postgres"))
try:
    two = json.load(open(os.path.join(out, "pg2-UpdateUserAttributes.json")))
    print(f"- PostgreSQL, UpdateUserAttributes at concurrency 64: one instance {r['requests_per_second']:,.0f}/s; "
          f"two instances {two['requests_per_second']:,.0f}/s, p99 {two['latency_ms']['p99']:.1f} ms")
except Exception:
    pass
print()
print("| users in the pool | UpdateUserAttributes (c=64) | ListUsers `email ^=` (c=8) | RSS | database | start-up |")
print("|---|---|---|---|---|---|")
for size in ["1000", "100000", "1000000"]:
    cells = []
    for kind in ["update", "listusers"]:
        try:
            r = json.load(open(os.path.join(out, f"size-{size}-{kind}.json")))
            cells.append(f"{r['requests_per_second']:,.0f}/s, p99 {r['latency_ms']['p99']:.1f} ms")
        except Exception:
            cells.append("–")
    print(f"| {int(size):,} | {cells[0]} | {cells[1]} | {read(f'size-{size}-rss-mib.txt')} MiB | "
          f"{read(f'size-{size}-db-mb.txt')} MB | {read(f'size-{size}-startup-ms.txt')} ms |")
PY
echo "results in $out"
