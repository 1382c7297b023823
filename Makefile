# carejourneys: `make report` builds every report for every site; `make test` runs the whole suite.
# Both create .venv and install the package on first use, and skip the install when nothing changed.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: report test lab lint synth public clean help

help:
	@echo "make report  - set up .venv and build every report for every site (outputs/index.html)"
	@echo "make test    - set up .venv and run the whole test suite"
	@echo "make lab     - open JupyterLab on notebooks/ in the project's environment"
	@echo "make lint    - ruff"
	@echo "make synth   - regenerate data/synthetic from the generator"
	@echo "make public  - regenerate data/public from ../shared/public-data"

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "carejourneys needs Python 3.11 or newer; set PYTHON=python3.11")'
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[test]"
	@touch $(STAMP)

report: $(STAMP)
	$(VENV)/bin/carejourneys build

test: $(STAMP)
	$(PY) -m pytest

lab: $(STAMP)
	$(VENV)/bin/jupyter lab notebooks/

lint: $(STAMP)
	$(VENV)/bin/ruff check carejourneys tests benchmarks

synth: $(STAMP)
	$(VENV)/bin/carejourneys synth data/synthetic --seed 2024

public: $(STAMP)
	$(VENV)/bin/carejourneys public ../shared/public-data/dfe data/public

clean:
	rm -rf outputs/* $(VENV)
