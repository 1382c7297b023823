# carejourneys: `make report` builds every report for every site; `make test` lints and runs the whole suite.
# Both create .venv and install the pinned versions of requirements.lock on first use, and skip the
# install when neither pyproject.toml nor requirements.lock changed.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
LOCK   := requirements.lock
STAMP  := $(VENV)/.installed
LAB    := $(VENV)/.lab-installed

.PHONY: report test lab lint lock synth public clean help

help:
	@echo "make report  - set up .venv and build every report for every site (outputs/index.html)"
	@echo "make test    - set up .venv, lint (ruff) and run the whole test suite"
	@echo "make lab     - open JupyterLab on notebooks/ in the project's environment"
	@echo "make lint    - ruff"
	@echo "make lock    - refresh requirements.lock to the newest versions pyproject.toml allows"
	@echo "make synth   - regenerate data/synthetic from the generator"
	@echo "make public  - regenerate data/public from ../shared/public-data"

$(STAMP): pyproject.toml $(LOCK)
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "carejourneys needs Python 3.11 or newer; set PYTHON=python3.11")'
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet --quiet -r $(LOCK)
	$(PY) -m pip install --quiet --quiet --no-deps -e .
	@touch $(STAMP)

report: $(STAMP)
	$(VENV)/bin/carejourneys build
	@echo "The command is installed in $(VENV)/bin: run $(VENV)/bin/carejourneys --help, or 'source $(VENV)/bin/activate' first."

test: $(STAMP)
	$(VENV)/bin/ruff check carejourneys tests benchmarks
	$(PY) -m pytest

$(LAB): $(STAMP)
	$(PY) -m pip install --quiet --quiet -c $(LOCK) -e ".[lab]"
	@touch $(LAB)

lab: $(LAB)
	$(VENV)/bin/jupyter lab notebooks/

lint: $(STAMP)
	$(VENV)/bin/ruff check carejourneys tests benchmarks

# uv resolves for every platform and Python >= 3.11 from PyPI; only `make lock` needs it.
lock:
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet "uv>=0.5"
	$(VENV)/bin/uv pip compile pyproject.toml --extra test --universal --python-version 3.11 --upgrade \
		--no-emit-index-url --custom-compile-command "make lock" --quiet -o $(LOCK)

synth: $(STAMP)
	$(VENV)/bin/carejourneys synth data/synthetic --seed 2024

public: $(STAMP)
	$(VENV)/bin/carejourneys public ../shared/public-data/dfe data/public

clean:
	rm -rf outputs/* .carejourneys-work $(VENV)
