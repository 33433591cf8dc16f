#!/usr/bin/env bash
# The release build as GoReleaser makes it, without publishing: validates
# .goreleaser.yaml, cross-builds linux/darwin/windows × amd64/arm64 into
# dist/, checks the six archives against checksums.txt and runs the
# linux/amd64 binary.
set -euo pipefail
cd "$(dirname "$0")/.."
goreleaser check
goreleaser release --snapshot --clean --skip=publish >dist.log 2>&1 || { cat dist.log >&2; exit 1; }
rm -f dist.log
want=(linux_amd64.tar.gz linux_arm64.tar.gz darwin_amd64.tar.gz darwin_arm64.tar.gz windows_amd64.zip windows_arm64.zip)
for w in "${want[@]}"; do
  ls dist/cognate_*_"$w" >/dev/null || { echo "release: no archive for $w" >&2; exit 1; }
done
(cd dist && sha256sum --quiet -c checksums.txt)
[ "$(wc -l < dist/checksums.txt)" -eq ${#want[@]} ] || { echo "release: checksums.txt does not list the ${#want[@]} archives" >&2; exit 1; }
dist/cognate_linux_amd64_v1/cognate version | grep -q '^cognate .*snapshot' || { echo "release: the binary does not report its version" >&2; exit 1; }
echo "release: ${#want[@]} archives and checksums.txt in dist/"
