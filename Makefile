# Two commands on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run test bench bench-sweep baseline clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

venv: $(STAMP)

## run: install if needed, run the levers experiment on every core, write its report
run: $(STAMP)
	$(BIN)/slsim -m +experiment=levers hydra/launcher=joblib
	$(BIN)/slsim-report multirun/levers
	@echo "Sweep: multirun/levers (sweep.parquet, one folder per run); report: multirun/levers/report/index.html"

## test: install if needed, then run the test suite
test: $(STAMP)
	$(BIN)/python -m pytest -q

## bench: speed benchmark of the default 10-year scheme
bench: $(STAMP)
	$(BIN)/python benchmarks/bench_model.py

## bench-sweep: sweep throughput, 200 runs under joblib vs serially
bench-sweep: $(STAMP)
	$(BIN)/python benchmarks/bench_sweep.py

## baseline: regenerate the regression baseline (explicit, reviewed in the diff)
baseline: $(STAMP)
	$(BIN)/python tests/update_baseline.py

clean:
	rm -rf $(VENV) outputs multirun .pytest_cache
