# Week Four — every target bootstraps .venv if it is missing or older than pyproject.toml.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
TESTSTAMP := $(VENV)/.installed-test
LAB_ARGS ?=
GRADE_ARGS ?=

.PHONY: lab test lint grade release bench clean help
.DEFAULT_GOAL := help

help:
	@echo "make lab      set up .venv and open the workbook in JupyterLab (LAB_ARGS=--no-browser ...)"
	@echo "make test     set up .venv (with the test extra), run ruff and the whole test suite"
	@echo "make grade    grade the notebooks in notebooks/ (GRADE_ARGS=... passes options)"
	@echo "make release  rebuild notebooks/ from solutions/ (instructors)"
	@echo "make bench    print the benchmark figures"

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "Week Four needs Python 3.11 or newer; set PYTHON=python3.11 (or newer) and try again."; exit 1; }
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	@touch $(STAMP)

# The tests also need the `test` extra (playwright for the browser test, actionlint for the workflows).
$(TESTSTAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -e ".[test]"
	@touch $(TESTSTAMP)

lab: $(STAMP)
	@echo "Opening the workbook: notebooks/00-start-here.ipynb (the URL with its token is printed below)"
	$(BIN)/jupyter lab notebooks/00-start-here.ipynb $(LAB_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

test: $(TESTSTAMP) lint
	$(BIN)/python -m pytest -q

grade: $(STAMP)
	$(BIN)/python -m grader grade notebooks/ $(GRADE_ARGS)

release: $(STAMP)
	$(BIN)/python -m grader release

bench: $(STAMP)
	@for b in benchmarks/bench_*.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .ruff_cache
