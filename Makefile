# QoScope: `make run` to use it, `make test` to check it. Both install what they need first
# (scripts/setup.sh; a second run installs nothing).

# binaryen 132 from npm (.tools/) must be the wasm-opt trunk finds, ahead of any Debian binaryen.
export PATH := $(CURDIR)/.tools/node_modules/.bin:$(HOME)/.cargo/bin:$(PATH):/usr/sbin
SHELL := /bin/bash

.PHONY: run run-dev broker test bench fmt clippy setup

## run: local Mosquitto (1883 / ws 9001, loopback only) + the release app on http://127.0.0.1:8080
run:
	scripts/run.sh

## run-dev: the same with a debug build (quicker to rebuild, much slower in use)
run-dev:
	scripts/run.sh dev

## broker: the local Mosquitto alone, for a dist/ served by any static server
broker:
	scripts/run.sh broker

## test: all tiers (scripts, format, clippy native + wasm32, native tests, browser tests, release build, end-to-end)
test:
	scripts/test.sh

## bench: cargo bench, then the browser benchmark if there is one
bench:
	scripts/bench.sh

## fmt: format the code
fmt:
	cargo fmt --all

## clippy: lint natively and for wasm32, as tiers 3 and 4 of `make test` do
clippy:
	scripts/test.sh 3 4

## setup: install the tools only (scripts/setup.sh --dry-run test: only say what is missing)
setup:
	scripts/setup.sh test
