#!/usr/bin/env bash
# Runs the programs under examples/ against a started Cognate, as the docs
# show them (cmd/cognate/docs_test.go checks that every example in the docs
# is in one of these files): the AWS CLI quick start, the AWS SDK for Go v2, boto3, the AWS SDK for
# JavaScript v3, and cognate bench. Usage: bash .ci/examples.sh
set -euo pipefail
cd "$(dirname "$0")/.."
export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_DEFAULT_REGION=us-east-1 AWS_EC2_METADATA_DISABLED=true
export AWS_PAGER="" AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null

work=$(mktemp -d)
go build -o "$work/cognate" ./cmd/cognate
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
"$work/cognate" serve --addr "127.0.0.1:$port" --db :memory: --password-hashing fast >"$work/log" 2>&1 &
pid=$!
trap 'kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 100); do curl -fsS "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && break; sleep 0.1; done
export ENDPOINT="http://127.0.0.1:$port" COGNATE_ENDPOINT="http://127.0.0.1:$port"
fail() { echo "examples: FAIL: $*" >&2; echo "--- server log" >&2; tail -50 "$work/log" >&2; exit 1; }

out=$(bash -e examples/quickstart.sh 2>&1) || fail "examples/quickstart.sh: $out"
grep -q "refused, as it should be" <<<"$out" || fail "examples/quickstart.sh: $out"
echo "examples: ok: quickstart.sh"

go run ./examples/go-sdk || fail "examples/go-sdk"
echo "examples: ok: go-sdk"

python3 examples/python/boto3_example.py || fail "examples/python/boto3_example.py"
echo "examples: ok: python/boto3_example.py"

npm ci --prefix examples/js-sdk-v3 --no-audit --no-fund --loglevel=error >/dev/null
NODE_NO_WARNINGS=1 node examples/js-sdk-v3/example.mjs || fail "examples/js-sdk-v3/example.mjs"
echo "examples: ok: js-sdk-v3/example.mjs"

npm ci --prefix examples/identity-js --no-audit --no-fund --loglevel=error >/dev/null
out=$(NODE_NO_WARNINGS=1 node examples/identity-js/example.mjs 2>&1) || fail "examples/identity-js/example.mjs: $out"
grep -q "name after UpdateUserAttributes: Erin" <<<"$out" || fail "examples/identity-js/example.mjs: $out"
echo "examples: ok: identity-js/example.mjs"

kill "$pid"; wait "$pid" 2>/dev/null || true
DURATION=2s bash examples/bench.sh >"$work/bench" 2>&1 || { cat "$work/bench" >&2; fail "examples/bench.sh"; }
echo "examples: ok: bench.sh"
