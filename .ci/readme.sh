#!/usr/bin/env bash
# The README's first command, as a new user runs it on a fresh machine:
# take the block under "## The two commands" from README.md, start its
# server line (go run, compiling first) in its own process group, wait for
# /readyz, stop the whole group and check that the port is free again. The
# block's test line is what .ci/run ends with (cmd/cognate/docs_test.go
# checks that). Usage: bash .ci/readme.sh
set -euo pipefail
cd "$(dirname "$0")/.."

block=$(awk '/^## The two commands/{s=1} s&&/^```sh/{f=1;next} f&&/^```/{exit} f' README.md)
server=$(printf '%s\n' "$block" | sed -n 1p | sed 's/ *#.*//')
[ "$server" = "go run ./cmd/cognate" ] || { echo "readme: unexpected server command: $server" >&2; exit 1; }

work=$(mktemp -d)
# A copy of the checkout, so that ./cognate.db lands in a scratch directory.
git ls-files -z | xargs -0 cp --parents -t "$work"
cd "$work"
setsid bash -c "$server" >"$work/log" 2>&1 &
pid=$!
trap 'kill -- -"$pid" 2>/dev/null || true; rm -rf "$work"' EXIT
start=$(date +%s)
until curl -fsS http://localhost:9229/readyz >/dev/null 2>&1; do
  if ! kill -0 "$pid" 2>/dev/null; then echo "readme: the server exited:" >&2; cat "$work/log" >&2; exit 1; fi
  if [ $(( $(date +%s) - start )) -gt 600 ]; then echo "readme: no /readyz after 600 s" >&2; exit 1; fi
  sleep 0.5
done
echo "readme: '$server' answered /readyz after $(( $(date +%s) - start )) s"
kill -- -"$pid"
for _ in $(seq 50); do
  curl -fsS http://localhost:9229/readyz >/dev/null 2>&1 || { echo "readme: stopped, port free"; exit 0; }
  sleep 0.1
done
echo "readme: the server still answers after its process group was stopped" >&2
exit 1
