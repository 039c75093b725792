# Week Four — every target sets up .venv first if it is missing or older than the lock (make setup does only that).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
TESTSTAMP := $(VENV)/.installed-test
# The installer: uv, from PyPI into a folder of its own inside .venv (not among the course's packages). When it cannot
# be had, pip installs the same lock, only slower.
UV_VERSION := 0.13.9
UV     := $(VENV)/uv/bin/uv
LAB_LOCK  := requirements/lab.txt
TEST_LOCK := requirements/test.txt
LAB_ARGS ?=
GRADE_ARGS ?=
NB ?=


.PHONY: setup lab test lint grade release bench lock clean help
.DEFAULT_GOAL := help

help:
	@echo "make setup    create .venv with exactly the locked packages (the first time: about 30 s)"
	@echo "make lab      set up .venv and open the workbook in JupyterLab (LAB_ARGS=--no-browser ...)"
	@echo "make test     set up .venv (with the test extra), run ruff, mypy and the whole test suite"
	@echo "make grade    grade the notebooks in notebooks/ (NB=04 grades one; GRADE_ARGS=... passes options)"
	@echo "make release  rebuild notebooks/ from solutions/ (instructors)"
	@echo "make lock     re-resolve requirements/*.txt from pyproject.toml (then run make test to approve it)"
	@echo "make bench    print the benchmark figures"

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "Week Four needs Python 3.11 or newer; set PYTHON=python3.11 (or newer) and try again."; exit 1; }
	$(PYTHON) -m venv $(VENV)

$(UV): | $(BIN)/python
	@$(BIN)/python -m pip install --quiet --disable-pip-version-check --target $(VENV)/uv uv==$(UV_VERSION) \
		|| echo "uv could not be installed: installing with pip instead (the same lock, only slower)."

# Exactly the lock (without resolving dependencies again: the lock has them all, and leaves out on purpose what is
# named at `lock` below), then the course itself (editable, without dependencies). setuptools says
# how it made the editable install in a boxed "Editable installation" note (information only, nothing to act on):
# QUIET_EDITABLE keeps it out of a learner's first `make lab`. Everything is compiled to bytecode as it is installed
# (pip does that by default, uv with --compile-bytecode; the course's own modules by compileall): graded kernels never
# write bytecode, so without it every grading compiles pandas, matplotlib and openai again (the seven notebooks graded:
# 55 s without, 25 s with).
QUIET_EDITABLE := PYTHONWARNINGS="ignore:Editable installation:UserWarning"
define install_lock
	@if [ -x $(UV) ]; then \
		$(UV) pip sync --quiet --compile-bytecode --require-hashes --python $(BIN)/python $(1) && \
		$(QUIET_EDITABLE) $(UV) pip install --quiet --no-deps --python $(BIN)/python -e . ; \
	else \
		$(BIN)/python -m pip install --quiet --disable-pip-version-check --require-hashes --no-deps -r $(1) && \
		$(QUIET_EDITABLE) $(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e . ; \
	fi
	@$(BIN)/python -m compileall -q -j 0 weekfour grader >/dev/null
endef

$(STAMP): pyproject.toml $(LAB_LOCK) | $(UV)
	$(call install_lock,$(LAB_LOCK))
	@rm -f $(TESTSTAMP)
	@touch $(STAMP)

# The tests also need the `test` extra (playwright for the browser test, actionlint for the workflows).
$(TESTSTAMP): pyproject.toml $(TEST_LOCK) | $(UV)
	$(call install_lock,$(TEST_LOCK))
	@touch $(STAMP) $(TESTSTAMP)

setup: $(STAMP)
	@echo "Set up: .venv holds exactly $(LAB_LOCK). Next: make lab"

# Served from the repository's top folder (so the kit's files, weekfour/agent.py and the rest, are a click away) and
# opening on the first page — also the page of the URL printed with --no-browser. The contents manager hands
# JupyterLab each notebook with the kernel metadata it would write on open, so a notebook opens unmodified.
FIRST_PAGE := /lab/tree/notebooks/00-start-here.ipynb
LAB_CONTENTS := weekfour.labs.lab_server.SteadyContentsManager

lab: $(STAMP)
	@echo "Opening the workbook on notebooks/00-start-here.ipynb (the URL with its token is printed below)"
	$(BIN)/jupyter lab --ServerApp.root_dir=. --LabApp.default_url=$(FIRST_PAGE) \
		--ServerApp.contents_manager_class=$(LAB_CONTENTS) $(LAB_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

test: $(TESTSTAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/python -m pytest -q

# NB=04, NB=4, NB=04-fallbacks or NB=04-fallbacks.ipynb (also with notebooks/ before it) grades that notebook only.
grade: $(STAMP)
	@target=notebooks/; nb='$(NB)'; \
	if [ -n "$$nb" ]; then \
		nb=$$(basename "$$nb" .ipynb); \
		case "$$nb" in \
			*[!0-9]*) target="notebooks/$$nb.ipynb" ;; \
			*) n=$$(echo "$$nb" | sed 's/^0*//'); target=$$(ls notebooks/$$(printf '%02d' "$${n:-0}")-*.ipynb 2>/dev/null | head -n 1) ;; \
		esac; \
		if [ -z "$$target" ] || [ ! -f "$$target" ]; then \
			echo "NB=$(NB): no such notebook in notebooks/. Give its number (NB=04 or NB=4) or its file name" \
				"(NB=04-fallbacks.ipynb); ls notebooks/ lists them."; \
			exit 2; \
		fi; \
	fi; \
	echo "$(BIN)/python -m grader grade $$target $(GRADE_ARGS)"; \
	$(BIN)/python -m grader grade "$$target" $(GRADE_ARGS)

release: $(STAMP)
	$(BIN)/python -m grader release

# Left out of the lock: rfc3987-syntax (and lark, which only it needs). jsonschema imports it when it is installed, to
# check the "iri" format, and it builds a grammar as it is imported: 2.3 s added to every process that imports
# nbformat (each grading, nbconvert, the JupyterLab server). Nothing of the course validates that format.
NO_EMIT := --no-emit-package rfc3987-syntax --no-emit-package lark
lock: | $(UV)
	$(UV) pip compile pyproject.toml --universal --generate-hashes --python-version 3.11 --quiet $(NO_EMIT) \
		-o $(LAB_LOCK)
	$(UV) pip compile pyproject.toml --extra test --universal --generate-hashes --python-version 3.11 --quiet \
		$(NO_EMIT) -o $(TEST_LOCK)
	@echo "Locked. Run make test on the new set before committing requirements/."

bench: $(STAMP)
	@for b in benchmarks/bench_*.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .ruff_cache
