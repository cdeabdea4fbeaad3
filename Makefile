# The two commands of the README: `make book` (environment + the course) and `make test`.
# Everything else here is what they are made of.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
SOLVER := labs/argo-salmon/solver

.PHONY: book html course test env clean

book: html course  ## create the environment, build the HTML book and the nbgrader course

env: $(STAMP)

$(STAMP): pyproject.toml $(SOLVER)/pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "kubecourse needs Python 3.11 or newer; set PYTHON=python3.11")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]' -e $(SOLVER)
	touch $@

html: $(STAMP)  ## the book, offline, warnings as errors
	$(BIN)/jupyter-book build . -W -n --keep-going
	@echo "book: open _build/html/index.html"

course: $(STAMP)  ## the nbgrader course folders, generated from the labs
	PATH="$(abspath $(BIN)):$$PATH" $(BIN)/kubecourse course build --out course

# The suite starts hundreds of Python processes (the CLI, the fake kind, kernels): they keep their
# compiled bytecode (and pytest its rewritten test modules) in one cache inside the virtualenv,
# even where PYTHONDONTWRITEBYTECODE is set to keep the checkout clean (as CI does), instead of
# compiling the project again in every process.
# Two test workers per CPU (at most 8): much of the suite waits (on kubectl, the fake cluster's
# controllers, notebook kernels), so one worker per CPU left the CPUs half idle. On an idle 2-core
# machine: 2 workers 3:25 wall at 114% CPU, 4 workers 2:28 at 176%.
TEST_WORKERS ?= $(shell $(PYTHON) -c 'import os; print(min(8, 2 * len(os.sched_getaffinity(0))))' 2>/dev/null || echo 2)
test: $(STAMP)  ## the whole test suite (end-to-end tests marked `kind` skip without kind + Docker)
	PATH="$(abspath $(BIN)):$$PATH" PYTHONDONTWRITEBYTECODE= PYTHONPYCACHEPREFIX="$(abspath $(VENV))/pycache" \
		$(BIN)/python -m pytest -n $(TEST_WORKERS) $(PYTEST_ARGS)

clean:
	rm -rf _build course
