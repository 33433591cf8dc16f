# Everyday tasks. `make help` lists them; CI runs `bash .ci/run` (make ci).
GO ?= go
BIN ?= cognate
PLATFORMS ?= linux/amd64 linux/arm64 darwin/amd64 darwin/arm64 windows/amd64 windows/arm64

.PHONY: help build test vet fmt lint generate bench ci cross clean

help: ## list the targets
	@grep -E '^[a-z]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/:.*## /\t/'

build: ## build ./cognate
	CGO_ENABLED=0 $(GO) build -o $(BIN) ./cmd/cognate

test: ## go test ./... (PostgreSQL suites need COGNATE_TEST_POSTGRES_DSN; see CONTRIBUTING.md)
	$(GO) test ./...

vet: ## go vet
	$(GO) vet ./...

fmt: ## gofmt every Go file
	gofmt -w $$(git ls-files '*.go')

lint: vet ## gofmt check and go vet (golangci-lint is not configured yet)
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { gofmt -l $$(git ls-files '*.go'); exit 1; }

generate: ## regenerate internal/api/model from api/
	$(GO) generate ./...

bench: ## the hot-path micro-benchmarks
	$(GO) test -run XXX -bench . ./internal/server/

ci: ## what CI runs
	bash .ci/run

cross: ## build for every release platform into dist/
	@for p in $(PLATFORMS); do os=$${p%/*}; arch=$${p#*/}; ext=; [ $$os = windows ] && ext=.exe; \
	  echo "$$os/$$arch"; CGO_ENABLED=0 GOOS=$$os GOARCH=$$arch $(GO) build -trimpath -o dist/cognate-$$os-$$arch$$ext ./cmd/cognate || exit 1; done

clean: ## remove build outputs
	rm -rf $(BIN) dist
