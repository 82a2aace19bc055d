# incidentbot: `make demo` shows the bot at work, `make test` runs every test, `make run` runs the bot.
GO      ?= go
BIN     ?= bin/incidentbot
VERSION ?= $(shell git describe --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -s -w -X main.version=$(VERSION)

.PHONY: test-drills all build demo test test-e2e bench-e2e lint run bench fuzz clean chaos ack-bench

all: lint test build

build:
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags "$(LDFLAGS)" -o $(BIN) ./cmd/incidentbot

# Unit, integration and end-to-end tests, with the race detector. Fuzz targets run their
# seed corpora as part of this.
test:
	$(GO) test -race -count=1 ./...

# End-to-end tests on a real kube-apiserver, etcd, controller-manager, scheduler and kwok,
# built from the Go module proxy and cached (the first build takes about 18 minutes), the
# Helm chart dry-run applied to that API server (helm built the same way, about 3 minutes),
# and every built-in playbook drilled on it by the real binary through the cards' buttons
# (test/drills, about a minute and a half).
test-e2e:
	INCIDENTBOT_KUBE_BIN=$$(test/kube/build-binaries.sh) INCIDENTBOT_HELM=$$(test/helm/build-helm.sh) INCIDENTBOT_REQUIRE_HELM=1 \
		$(GO) test -count=1 -v ./internal/testenv/kubecluster/ ./internal/kube/ ./test/helm/ ./test/drills/

# The drills alone.
test-drills:
	INCIDENTBOT_KUBE_BIN=$$(test/kube/build-binaries.sh) $(GO) test -count=1 -v ./test/drills/

bench-e2e:
	INCIDENTBOT_KUBE_BIN=$$(test/kube/build-binaries.sh) $(GO) test -run '^$$' -bench RolloutRestartAndWait -benchtime 10x ./internal/kube/

lint:
	@unformatted=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$unformatted" ]; then echo "gofmt needed:"; echo "$$unformatted"; exit 1; fi
	$(GO) vet ./...
	$(GO) vet -tags demo ./cmd/incidentbot

run: build
	./$(BIN) serve

# The regional-outage drill end to end on in-process Slack, PagerDuty and GitHub emulators
# and a simulated cluster; no credentials. DEMO_ARGS=--serve keeps the dashboard up after.
# The demo is its own build (-tags demo): the emulators it links stay out of $(BIN).
DEMO_BIN  ?= bin/incidentbot-demo
DEMO_ARGS ?=
demo:
	CGO_ENABLED=0 $(GO) build -tags demo -trimpath -ldflags "$(LDFLAGS)" -o $(DEMO_BIN) ./cmd/incidentbot
	./$(DEMO_BIN) demo $(DEMO_ARGS)

bench:
	$(GO) test -run '^$$' -bench . -benchmem ./...

# Fuzz each target of outside input for a while (FUZZTIME=30s by default), one after the
# other (go test fuzzes one target at a time). `make test` runs their seed corpora.
FUZZTIME ?= 30s
FUZZ_TARGETS := FuzzParse:./commands FuzzVerify:./bot FuzzInteraction:./bot FuzzEvent:./bot \
	FuzzWebhook:./internal/pagerduty FuzzPlaybook:./internal/playbook FuzzConfig:./internal/config \
	FuzzCleanText:./internal/incident
fuzz:
	@set -e; for t in $(FUZZ_TARGETS); do \
		echo "fuzz $${t%%:*} in $${t#*:}"; \
		$(GO) test -run '^$$' -fuzz "^$${t%%:*}$$" -fuzztime $(FUZZTIME) "$${t#*:}"; \
	done

# Three replicas of the real binary on one real PostgreSQL, driven with signed slash
# commands, clicks through approved http steps and PagerDuty webhooks while a random
# replica is killed with SIGKILL every few seconds; fails if an acked command was lost, a
# Slack post or an action happened twice, or a chain does not verify (tools/chaos).
CHAOS_DURATION ?= 2m
chaos:
	$(GO) run ./tools/chaos -duration $(CHAOS_DURATION)

# Ack latency at 200 signed requests per second on SQLite, on PostgreSQL with one replica
# and with three (tools/chaos -mode ack).
ACK_RATE     ?= 200
ACK_DURATION ?= 30s
ack-bench:
	$(GO) run ./tools/chaos -mode ack -rate $(ACK_RATE) -ack-duration $(ACK_DURATION)

clean:
	rm -rf bin
