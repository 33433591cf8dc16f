#!/usr/bin/env bash
# Load Cognate with cognate bench, as docs/local-development.md shows:
# build the binary, start a throwaway server, run 64 workers of
# UpdateUserAttributes, stop the server. DURATION (default 10s) bounds the
# measured phase; CI runs it with DURATION=2s.
set -euo pipefail
cd "$(dirname "$0")/.."
go build -o cognate ./cmd/cognate
./cognate serve --addr 127.0.0.1:9229 --db :memory: --password-hashing fast &
server=$!
trap 'kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true' EXIT
for _ in $(seq 100); do curl -fsS http://127.0.0.1:9229/readyz >/dev/null 2>&1 && break; sleep 0.1; done
./cognate bench --endpoint http://127.0.0.1:9229 --operation UpdateUserAttributes --users 100 --concurrency 64 --duration "${DURATION:-10s}"
