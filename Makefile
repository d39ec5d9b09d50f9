# Two commands on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
CHROMIUM ?= chromium
STAMP  := $(VENV)/.installed
TEST_WORKERS ?= 2  # pytest-xdist processes for `make test` (CI has 2 cores); a test file stays in one process

.PHONY: run test chromium bench bench-sweep bench-compose bench-nation bench-nation-study baseline clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

venv: $(STAMP)

## run: install if needed, run the levers experiment on every core, write its report
run: $(STAMP)
	$(BIN)/slsim experiment=levers calibration=posterior hydra/launcher=joblib
	$(BIN)/slsim-report multirun/levers
	@echo "Sweep: multirun/levers (sweep.parquet, one folder per run); report: multirun/levers/report/index.html"

## test: install if needed (and Debian's chromium for the report's browser tests), then run the test suite
test: $(STAMP) chromium
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m pytest -q -n $(TEST_WORKERS) --dist loadfile

## chromium: the system's chromium for Playwright (its own browser download is not used); sudo only if not root
chromium:
	@command -v $(CHROMIUM) >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" -eq 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  echo "installing chromium (Debian package) for the browser tests"; \
	  $$SUDO apt-get update -q && $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium; }

## bench: speed benchmark of the default 10-year scheme
bench: $(STAMP)
	$(BIN)/python benchmarks/bench_model.py

## bench-sweep: sweep throughput, 200 runs under joblib vs serially
bench-sweep: $(STAMP)
	$(BIN)/python benchmarks/bench_sweep.py

## bench-compose: config compositions per second, each YAML parsed once a process vs every time
bench-compose: $(STAMP)
	$(BIN)/python benchmarks/bench_compose.py

## bench-nation: the 10-year national run on one core against the same schemes run alone
bench-nation: $(STAMP)
	$(BIN)/python benchmarks/bench_nation.py

## bench-nation-study: the default national study (12 runs of 5 years) on the basic executor vs a local 2-CPU Ray
bench-nation-study: $(STAMP)
	$(BIN)/python benchmarks/bench_nation_study.py

## baseline: regenerate the regression baseline (explicit, reviewed in the diff)
baseline: $(STAMP)
	$(BIN)/python tests/update_baseline.py

clean:
	rm -rf $(VENV) outputs multirun .pytest_cache
