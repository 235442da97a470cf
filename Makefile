# 长治养老服务资格助手 — `make run` starts everything, `make test` runs every test.
SHELL := /bin/bash
PYTHON ?=
VENV := .venv
PY := $(VENV)/bin/python
export RASA_TELEMETRY_ENABLED := false
export SQLALCHEMY_SILENCE_UBER_WARNING := 1
export TF_CPP_MIN_LOG_LEVEL := 2

.PHONY: run run-scaled test test-fast lint setup model validate generate nlu-cv bench bench-kb bench-scale eval-understanding simulate clean screenshots screenshots-copy

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

# The inner loop: tests that need no trained model, browser or server (markers: tests/conftest.py).
test-fast: setup
	$(PY) -m pytest -q -p no:cacheprovider -m "not model and not browser and not server" $(PYTEST_ARGS)

# ruff (lint + format check) and mypy on policy_kb/ and actions/, settings in pyproject.toml.
LINT_PATHS := policy_kb actions
lint: setup
	@status=0; \
	$(VENV)/bin/ruff check $(LINT_PATHS) || status=1; \
	$(VENV)/bin/ruff format --check $(LINT_PATHS) || status=1; \
	$(VENV)/bin/mypy $(LINT_PATHS) || status=1; \
	exit $$status

# Fact slots/entities of domain.yml and data/nlu/synonyms.yml, lookups.yml from facts.yaml and the lexicon.
generate: setup
	$(PY) scripts/generate.py

validate: setup
	$(VENV)/bin/rasa data validate --fail-on-warnings

nlu-cv: setup
	$(PY) scripts/nlu_report.py

bench-kb: setup
	$(PY) bench/bench_kb.py

bench: model
	$(PY) bench/bench_dialogue.py

# Evidence of issue 8. Both use Rasa's NLU in-process when the model for the current data exists
# (`make model`), else run without it and say so. Extra flags: EVAL_ARGS / SIM_ARGS, e.g.
# make eval-understanding EVAL_ARGS="--fails 20 --json results/understanding.json"
BLIND ?= tests/blind/corpus.yml
REAL ?= tests/real_questions/questions.yml
EVAL_ARGS ?=
SIM_ARGS ?= --random 25 --seed 1
eval-understanding: setup
	$(PY) scripts/eval_understanding.py $(BLIND) $(REAL) $(EVAL_ARGS)

simulate: setup
	$(PY) scripts/simulate.py $(BLIND) $(SIM_ARGS)

bench-scale: model
	PYTHONUNBUFFERED=1 $(PY) bench/bench_scale.py

# Pictures for docs/: the browser tests write them to a temporary folder (SCREENSHOT_DIR); this runs
# the tests named in tests/*/screenshots.txt (`test: <path>` lines) and copies the files listed there.
SHOTS_TMP ?= $(or $(TMPDIR),/tmp)/czyl-screenshots
SHOT_LISTS = $(wildcard tests/*/screenshots.txt)
screenshots: model
	@mkdir -p "$(SHOTS_TMP)"
	SCREENSHOT_DIR="$(SHOTS_TMP)" $(PY) -m pytest -q -p no:cacheprovider \
	  $$(sed -n 's/^test: *//p' $(SHOT_LISTS) | sort -u) $(PYTEST_ARGS)
	@$(MAKE) --no-print-directory screenshots-copy SHOTS_TMP="$(SHOTS_TMP)"

# only the copying, from what an earlier run left in SHOTS_TMP
screenshots-copy:
	@status=0; mkdir -p docs/screenshots; \
	for name in $$(grep -hEv '^[[:space:]]*(#|test:|$$)' $(SHOT_LISTS) | sort -u); do \
	  if [ -f "$(SHOTS_TMP)/$$name" ]; then cp "$(SHOTS_TMP)/$$name" "docs/screenshots/$$name" && echo "docs/screenshots/$$name"; \
	  else echo "missing $$name in $(SHOTS_TMP) (no test made it)" >&2; status=1; fi; \
	done; exit $$status

clean:
	rm -rf models results .pytest_cache
