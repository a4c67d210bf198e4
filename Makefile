# Tezuo (特作) — the README's two commands are `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
SIM ?= 1
export TEZUO_BASE_URL ?= http://localhost:$(PORT)

.DEFAULT_GOAL := help
.PHONY: help run test install pwa migrate demo serve lint format typecheck pytest pwa-test e2e edge-train clean

help: ## list the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

run: install pwa migrate demo ## install what is missing, build the PWA, migrate, load the demo, serve :8000 with a live site (SIM=0: API only)
	@tools/live.sh $(BIN) $(HOST) $(PORT) $(SIM)

test: install pwa lint typecheck pwa-test pytest ## the whole suite: ruff, mypy, pytest (SQLite + PostgreSQL + Chromium e2e), vitest

install: $(VENV)/.installed ## create .venv and install the package with its dev tools and the media models

$(VENV)/.installed: pyproject.toml
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11+ is required"'
	@$(PYTHON) -m venv --help >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && apt-get update -qq && apt-get install -y -qq python3-venv; }
	@fc-list :lang=zh 2>/dev/null | grep -q . || { [ "$$(id -u)" = 0 ] && apt-get update -qq && apt-get install -y -qq fonts-noto-cjk; } || echo "note: no CJK font; install fonts-noto-cjk for printable permits"
	@{ ldconfig -p | grep -q 'libGL.so.1 ' && ldconfig -p | grep -q 'libgthread-2.0.so.0 '; } || { [ "$$(id -u)" = 0 ] && apt-get update -qq && apt-get install -y -qq libgl1 libglib2.0-0; } || echo "note: OpenCV (edge node, OCR) needs Debian's libgl1 and libglib2.0-0"
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev,media]'
	@touch $@

pwa: pwa/dist/index.html ## build the PWA into pwa/dist

pwa/node_modules/.package-lock.json: pwa/package-lock.json
	cd pwa && npm ci --no-audit --no-fund

pwa/dist/index.html: pwa/node_modules/.package-lock.json pwa/package.json $(shell find pwa/src pwa/public pwa/plugins pwa/scripts pwa/index.html pwa/vite.config.* pwa/tsconfig*.json -type f 2>/dev/null)
	cd pwa && npm run build

migrate: install ## apply database migrations
	$(BIN)/tezuo migrate

demo: install ## load the demo plant (idempotent) and print sign-in links
	$(BIN)/tezuo demo

serve: install ## serve the API and PWA (HOST, PORT)
	$(BIN)/tezuo serve --host $(HOST) --port $(PORT)

lint: install ## ruff lint + format check
	$(BIN)/ruff check backend sync edge tests tools
	$(BIN)/ruff format --check backend sync edge tests tools

format: install ## apply ruff fixes and formatting
	$(BIN)/ruff check --fix backend sync edge tests tools
	$(BIN)/ruff format backend sync edge tests tools

typecheck: install ## mypy over backend, sync, edge
	$(BIN)/mypy

pytest: install pwa ## pytest: unit + API on SQLite and PostgreSQL, then Chromium e2e
	$(BIN)/pytest -q

e2e: install pwa ## only the browser tests
	$(BIN)/pytest -q tests/e2e

pwa-test: pwa/node_modules/.package-lock.json ## vitest unit tests of the PWA
	cd pwa && npm test

edge-train: install ## add the optional edge-train extra (ultralytics, torch 2.14.1: ~5.5 GB, ~10 min from local wheels)
	$(BIN)/python -m pip install -q -e '.[dev,media,edge-train]'

clean: ## remove build outputs (keeps var/ with your data)
	rm -rf pwa/dist .pytest_cache .mypy_cache .ruff_cache
