# Velox. `make run` and `make test` work on a fresh Debian 12 machine as root.
SHELL := /bin/bash
.DEFAULT_GOAL := help

APT_PACKAGES := clang llvm libbpf-dev libelf-dev zlib1g-dev pkg-config bpftool iproute2 ethtool \
	iputils-ping iputils-arping curl jq haproxy nftables gcc python3-openstackclient python3-octaviaclient \
	python3-openstacksdk postgresql keystone wrk keepalived
CLANG ?= clang
ARCH_INCLUDE := -I/usr/include/$(shell uname -m)-linux-gnu
BPF_SRC := $(wildcard bpf/*.bpf.c)
BPF_OBJ := $(BPF_SRC:.bpf.c=.bpf.o)
BPF_HDR := $(wildcard bpf/*.h)
ADDON := build/Release/velox_native.node
NATIVE_SRC := $(wildcard native/*.cc native/*.h native/*.mjs) binding.gyp bpf/lb.h

.PHONY: help deps apt npm bpf addon build typecheck lint test test-pg fuzz run demo bench clean bpffs

help:
	@echo "make run    - controller on 127.0.0.1:9876 with local amphorae"
	@echo "make test   - install what is missing, build, type-check, lint, run all tests"
	@echo "make demo   - scripted tour: LB, three members, 300 requests"
	@echo "make bench  - benchmarks (not part of make test)"
	@echo "make fuzz   - the API fuzz suite at length (FUZZ_ITERATIONS, FUZZ_SECONDS, FUZZ_SEED)"

# --- dependencies -----------------------------------------------------------------
# Installs only what is missing, so a prepared machine pays nothing. postgresql and
# keystone are for the tests, which start their own private servers: a policy-rc.d
# keeps their packages from starting system-wide daemons during the install.
apt:
	@missing=$$(for p in $(APT_PACKAGES); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q 'install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "installing: $$missing"; \
		export DEBIAN_FRONTEND=noninteractive; \
		own_policy=; \
		if [ ! -e /usr/sbin/policy-rc.d ]; then \
			printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d && own_policy=1; \
		fi; \
		apt-get update -qq && apt-get install -y -qq --no-install-recommends $$missing; rc=$$?; \
		[ -z "$$own_policy" ] || rm -f /usr/sbin/policy-rc.d; \
		exit $$rc; \
	fi

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

npm: node_modules/.installed

deps: apt npm bpffs

bpffs:
	@mountpoint -q /sys/fs/bpf || mount -t bpf bpf /sys/fs/bpf

# --- build ------------------------------------------------------------------------
bpf/%.bpf.o: bpf/%.bpf.c $(BPF_HDR)
	$(CLANG) -O2 -g -Wall -Werror -target bpf -D__BPF__ $(ARCH_INCLUDE) -c $< -o $@

bpf: $(BPF_OBJ)

$(ADDON): $(NATIVE_SRC) node_modules/.installed
	npx node-gyp rebuild

addon: $(ADDON)

dist/.built: $(shell find src controller bench scripts -name '*.ts' 2>/dev/null) tsconfig.json tsconfig.build.json node_modules/.installed
	npx tsc -p tsconfig.build.json
	@touch $@

build: deps bpf addon dist/.built

typecheck: npm
	npx tsc -p tsconfig.json --noEmit

lint: npm
	npx eslint .
	npx prettier --check .

# --- the two commands -------------------------------------------------------------
test: build typecheck lint
	npx tap || { scripts/tap-failures.sh; exit 1; }
	$(MAKE) --no-print-directory test-pg PG_TESTS='$(PG_API_TESTS)'

# The API suite (and the PostgreSQL-only tests) again, on a throwaway PostgreSQL from
# scripts/pg-test-server.sh: each harness gets its own database there. The server is
# stopped and removed whatever happens (trap). Needs root and the postgresql package.
PG_API_TESTS := test/controller/api/*.test.ts
PG_TESTS ?= $(PG_API_TESTS) test/controller/db/postgres-*.test.ts
test-pg: npm
	@trap 'scripts/pg-test-server.sh stop' EXIT; \
	url=$$(scripts/pg-test-server.sh start) && \
	VELOX_TEST_PG_URL=$$url npx tap --disable-coverage $(PG_TESTS) || { scripts/tap-failures.sh; exit 1; }

# The API fuzz suite at length (make test runs 1500 requests of it): FUZZ_ITERATIONS
# requests within FUZZ_SECONDS, FUZZ_SEED to replay a run (every run prints its seed).
FUZZ_ITERATIONS ?= 50000
FUZZ_SECONDS ?= 1800
fuzz: npm
	VELOX_FUZZ_ITERATIONS=$(FUZZ_ITERATIONS) VELOX_FUZZ_SECONDS=$(FUZZ_SECONDS) $(if $(FUZZ_SEED),VELOX_FUZZ_SEED=$(FUZZ_SEED)) \
		npx tap --disable-coverage --timeout $$(( $(FUZZ_SECONDS) + 120 )) test/controller/api/fuzz.test.ts

run: build
	node dist/controller/main.js

demo: build
	node dist/scripts/demo.js

bench: build
	node dist/bench/run.js

clean:
	rm -rf build dist bpf/*.o .tap
