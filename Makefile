# The two set-up commands of the README: `make demo` and `make test`.
# Both work on a fresh machine: they create .venv and install what they need.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test lint docs bench lock clean

$(STAMP): pyproject.toml constraints.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "gapwatch needs Python >= 3.11; set PYTHON=python3.11")'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev,workspace]'
	touch $(STAMP)

## Generate the synthetic demo district, ingest it into DuckDB, run everything, build the public
## site and serve it on localhost (the URL is printed; Ctrl-C stops).
demo: $(STAMP)
	bash scripts/ensure-chromium.sh || echo "No Chromium: the school PDFs will be left out."
	$(BIN)/gapwatch demo

## Run the whole test suite (the command CI runs). Installs Java 17 for Spark and Debian's
## Chromium for the browser tests when missing.
test: $(STAMP)
	bash scripts/ensure-java.sh
	bash scripts/ensure-chromium.sh
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/python -m pytest -n 2 -q --durations=15

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks

## Regenerate the reference docs that are generated from code (tests check they are current).
docs: $(STAMP)
	$(BIN)/gapwatch docs data-model --out docs/data-model.md
	$(BIN)/gapwatch docs indicators --out docs/indicators.md
	$(BIN)/gapwatch docs configuration --out docs/configuration.md
	$(BIN)/gapwatch docs stages --out docs/architecture.md
	$(BIN)/gapwatch docs models --out docs/architecture.md
	$(BIN)/gapwatch docs letters-pot --out src/gapwatch/families/letters/locale/letters.pot

## Pin what the current .venv holds (after changing a range in pyproject.toml, upgrade, then
## run this and commit constraints.txt).
lock: $(STAMP)
	{ echo "# Exact versions CI tested; \`make lock\` rewrites this file from the current .venv."; \
	  echo "# pyproject.toml keeps the ranges; \`make demo\` and \`make test\` install with these pins."; \
	  $(BIN)/python -m pip freeze --exclude-editable | grep -v '^gapwatch'; } > constraints.txt

bench: $(STAMP)
	$(BIN)/python benchmarks/ingest.py

clean:
	rm -rf $(VENV) demo .pytest_cache .hypothesis
