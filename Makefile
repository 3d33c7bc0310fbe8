# Stride. `make run` serves it from a fresh clone; `make test` runs the whole suite.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
FLASK  := $(BIN)/flask --app wsgi

.PHONY: run test schemathesis lint format worker scheduler bench soak clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@ $(VENV)/.installed

run: $(VENV)/.installed  ## Serve REST + Socket.IO on HOST:PORT (embedded SQLite + in-process Redis unless configured)
	$(FLASK) db upgrade
	$(FLASK) seed exercises >/dev/null  # the starter catalog; adds only missing titles, so every run is safe
	$(FLASK) serve

# The JavaScript Socket.IO client used by tests/notifications/test_js_client.py (skipped where this cannot run).
tests/js/node_modules: tests/js/package.json tests/js/package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
		npm ci --prefix tests/js --no-audit --no-fund && touch $@ \
			|| { rm -rf $@; echo "npm ci failed: the JavaScript client test will be skipped"; }; \
	else \
		echo "npm not found: the JavaScript client test will be skipped"; \
	fi

test: $(VENV)/.installed-dev tests/js/node_modules  ## Run the whole suite (real PostgreSQL/Redis when TEST_DATABASE_URL/TEST_REDIS_URL are set)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

schemathesis: $(VENV)/.installed-dev  ## Fuzz a live server against its OpenAPI document (~1-2 min; CI runs it)
	$(BIN)/python .ci/schemathesis.py $(SCHEMATHESIS_ARGS)

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache  # the layers of docs/architecture.md (contracts in pyproject.toml)

format: $(VENV)/.installed-dev
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

worker: $(VENV)/.installed  ## Production: an RQ worker (needs REDIS_URL)
	$(FLASK) worker

scheduler: $(VENV)/.installed  ## Production: the periodic-job scheduler, exactly one (needs REDIS_URL)
	$(FLASK) scheduler

bench: $(VENV)/.installed-dev  ## Benchmarks on PostgreSQL (bench/README.md); e.g. BENCH_ARGS="--goals 100000 --due 10000"
	@# Every benchmark runs, and the target fails at the end if any of them missed its targets.
	@status=0; \
	for run in "expire_goals $(BENCH_ARGS)" "remind_habits $(BENCH_ARGS_HABITS)" "list_workouts" \
		"feed $(BENCH_ARGS_FEED)" "search $(BENCH_ARGS_SEARCH)" "chat $(BENCH_ARGS_CHAT)" \
		"leaderboard $(BENCH_ARGS_LEADERBOARD)" "hotpath $(BENCH_ARGS_HOTPATH)" "growth $(BENCH_ARGS_GROWTH)"; do \
		set -- $$run; name=$$1; shift; \
		echo "== bench.$$name $$*"; \
		$(BIN)/python -m bench.$$name "$$@" || { echo "bench.$$name missed its targets or failed"; status=1; }; \
	done; exit $$status

SOAK_SECONDS ?= 600
soak: $(VENV)/.installed-dev  ## Mixed load with Redis, PostgreSQL and worker faults, then no write lost, no effect twice
	$(BIN)/python -m bench.soak --seconds $(SOAK_SECONDS)

clean:
	rm -rf $(VENV) instance .pytest_cache .ruff_cache tests/js/node_modules
