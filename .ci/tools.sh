#!/usr/bin/env bash
# Installs the pinned developer tools into $(go env GOPATH)/bin unless that
# version is there already: golangci-lint (lint) and GoReleaser (the
# release configuration check and snapshot build). Both come from the Go
# module proxy; a cold install takes a few minutes each.
set -euo pipefail
GOLANGCI_LINT_VERSION=v2.15.0
GORELEASER_VERSION=v2.17.0
bin="$(go env GOPATH)/bin"

have() { # have TOOL VERSION: the installed binary reports VERSION
  local v=${2#v}
  [ -x "$bin/$1" ] && "$bin/$1" --version 2>/dev/null | grep -q "$v"
}

have golangci-lint "$GOLANGCI_LINT_VERSION" ||
  CGO_ENABLED=0 GOFLAGS= go install "github.com/golangci/golangci-lint/v2/cmd/golangci-lint@$GOLANGCI_LINT_VERSION"
have goreleaser "$GORELEASER_VERSION" ||
  CGO_ENABLED=0 GOFLAGS= go install "github.com/goreleaser/goreleaser/v2@$GORELEASER_VERSION"
"$bin/golangci-lint" --version
"$bin/goreleaser" --version | grep GitVersion
