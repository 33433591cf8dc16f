# Everyday tasks. `make help` lists them; CI runs `bash .ci/run` (make ci).
GO ?= go
BIN ?= cognate
# The version a build reports (cognate version): the nearest tag, else "dev".
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS ?= -X main.version=$(VERSION)
PLATFORMS ?= linux/amd64 linux/arm64 darwin/amd64 darwin/arm64 windows/amd64 windows/arm64

.PHONY: help build test vet fmt lint tools generate bench ci cross release clean

help: ## list the targets
	@grep -E '^[a-z]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/:.*## /\t/'

build: ## build ./cognate
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN) ./cmd/cognate

test: ## go test ./... (PostgreSQL suites need COGNATE_TEST_POSTGRES_DSN; see CONTRIBUTING.md)
	$(GO) test ./...

vet: ## go vet
	$(GO) vet ./...

fmt: ## gofmt every Go file
	gofmt -w $$(git ls-files '*.go')

lint: tools ## golangci-lint with .golangci.yml (gofmt, vet, staticcheck, errcheck, …)
	golangci-lint run ./...

tools: ## install the pinned golangci-lint and GoReleaser (.ci/tools.sh)
	bash .ci/tools.sh

generate: ## regenerate internal/api/model from api/
	$(GO) generate ./...

bench: ## the hot-path micro-benchmarks
	$(GO) test -run XXX -bench . ./internal/server/

ci: ## what CI runs
	bash .ci/run

cross: ## build for every release platform into dist/
	@for p in $(PLATFORMS); do os=$${p%/*}; arch=$${p#*/}; ext=; [ $$os = windows ] && ext=.exe; \
	  echo "$$os/$$arch"; CGO_ENABLED=0 GOOS=$$os GOARCH=$$arch $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o dist/cognate-$$os-$$arch$$ext ./cmd/cognate || exit 1; done

release: tools ## GoReleaser check and snapshot build of every target, with checksums (.ci/release.sh)
	bash .ci/release.sh

clean: ## remove build outputs
	rm -rf $(BIN) dist
