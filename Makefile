# 长治养老服务资格助手 — `make run` starts everything, `make test` runs every test.
SHELL := /bin/bash
PYTHON ?=
VENV := .venv
PY := $(VENV)/bin/python
export RASA_TELEMETRY_ENABLED := false
export SQLALCHEMY_SILENCE_UBER_WARNING := 1
export TF_CPP_MIN_LOG_LEVEL := 2

.PHONY: run run-scaled test setup model validate nlu-cv bench bench-kb bench-scale clean

$(VENV)/.installed: pyproject.toml constraints.txt
	@py=$$(PYTHON="$(PYTHON)" scripts/find-python.sh) || exit 1; \
	echo "using $$py"; \
	[ -x $(PY) ] || $$py -m venv $(VENV); \
	$(PY) -m pip install -q --upgrade pip && \
	$(PY) -m pip install -q -c constraints.txt -e '.[test]'
	@touch $@

setup: $(VENV)/.installed

model: setup
	@scripts/ensure_model.sh

run: model
	@scripts/run.sh

# N Rasa replicas + action servers on PostgreSQL (tracker store) and Redis (lock store)
REPLICAS ?= 2
run-scaled: model
	@REPLICAS=$(REPLICAS) TRACKER_STORE_URL=$${TRACKER_STORE_URL:-postgresql://postgres@127.0.0.1:5432/elder_care} \
	  LOCK_STORE_URL=$${LOCK_STORE_URL:-redis://127.0.0.1:6379/0} scripts/run.sh

test: model
	$(PY) -m pytest -q -p no:cacheprovider --cov=policy_kb --cov-branch --cov-report=term $(PYTEST_ARGS)

validate: setup
	$(VENV)/bin/rasa data validate --fail-on-warnings

nlu-cv: setup
	$(PY) scripts/nlu_report.py

bench-kb: setup
	$(PY) bench/bench_kb.py

bench: model
	$(PY) bench/bench_dialogue.py

bench-scale: model
	PYTHONUNBUFFERED=1 $(PY) bench/bench_scale.py

clean:
	rm -rf models results .pytest_cache
