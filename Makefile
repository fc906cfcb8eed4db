# Two commands for a fresh machine with Python 3.11, pip and make:
#   make book   set everything up, then build the website into _build/html
#   make test   set everything up, then run every check and test
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: setup book test pdf outputs clean

setup: $(STAMP)

$(STAMP): requirements.lock pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 11) else "Python 3.11 is required; set PYTHON=python3.11")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	touch $(STAMP)

book: setup
	$(BIN)/cnslbp build

# mypy keeps one core busy, pytest two: mypy runs beside pytest and its report follows pytest's; either failing fails
test: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache
	@log=$$(mktemp); $(BIN)/mypy > $$log 2>&1 & mypy=$$!; \
	trap 'kill $$mypy 2>/dev/null; rm -f $$log; exit 130' INT TERM; \
	echo "$(BIN)/pytest  (with $(BIN)/mypy beside it)"; $(BIN)/pytest; tests=$$?; \
	wait $$mypy; typed=$$?; echo "$(BIN)/mypy"; cat $$log; rm -f $$log; \
	test $$tests -eq 0 && test $$typed -eq 0

pdf: book
	$(BIN)/cnslbp pdf

# after editing a chapter (or anything its output depends on): re-execute and store the outputs nbval compares
outputs: setup
	$(BIN)/cnslbp outputs

clean:
	rm -rf _build .pytest_cache .mypy_cache .ruff_cache .hypothesis
