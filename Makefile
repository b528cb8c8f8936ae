# keepalived-ts: every target installs what it needs, then does its job.
# Run as root on Debian (apt packages: keepalived as the reference peer, nftables, tshark).

SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
APT_PACKAGES := keepalived nftables tshark tcpdump iproute2 kmod conntrack
STAMP := .make
# The IPVS lab (Debian's kernel under qemu) for test/netns/lvs-ipvs.test.ts; outside the
# checkout so a fresh clone on the same machine reuses it. The test reads the same variable.
export KTS_IPVS_LAB ?= /tmp/kts-lvs-lab/build

.PHONY: all setup build native demo test lint bench clean ipvs-lab

all: build

# Debian packages: installed once, checked every time (a missing one fails loudly).
$(STAMP)/apt: Makefile
	@mkdir -p $(STAMP)
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "make: installing Debian packages:$$missing"; \
	  export DEBIAN_FRONTEND=noninteractive; \
	  apt-get update -q && apt-get install -y -q --no-install-recommends $$missing; \
	fi
	@for p in keepalived nft tshark ip; do command -v $$p >/dev/null || { echo "make: $$p is missing after setup" >&2; exit 1; }; done
	@touch $@

# npm dependencies from the lockfile.
$(STAMP)/npm: package.json package-lock.json
	@mkdir -p $(STAMP)
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

setup: $(STAMP)/apt $(STAMP)/npm

# Packages, kernel .deb (apt-get download, never installed), initramfs; a stamp in
# $(KTS_IPVS_LAB) makes it instant once built, and any missing piece fails the target.
ipvs-lab:
	scripts/ipvs-lab.sh "$(KTS_IPVS_LAB)"

native: $(STAMP)/npm
	@if [ -f native/binding.gyp ]; then \
	  npx node-gyp rebuild --directory native --nodedir=/usr --loglevel=warn >/dev/null; \
	fi

build: setup native
	npx tsc -p tsconfig.json
	node dist/src/cli/bundle.js >/dev/null

demo: build
	node dist/src/demo/main.js

test: build ipvs-lab
	npx biome check src test bench scripts
	node scripts/run-tests.js

bench: build
	node scripts/run-bench.js

clean:
	rm -rf dist native/build $(STAMP)
