PY ?= python3.11
VENV := .venv
BIN := $(VENV)/bin

.PHONY: setup demo test lint bench bundle clean

$(BIN)/python:
	$(PY) -m venv $(VENV) || python3 -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

setup: $(BIN)/python
	$(BIN)/pip install -q -e '.[test]'

demo: setup
	$(BIN)/vaxclean demo --out demo-output

test: setup
	$(BIN)/ruff check vaxclean_xl tests benchmarks
	$(BIN)/python -m pytest -q

bench: setup
	$(BIN)/python -m benchmarks.run

# offline installer for station PCs (Windows x64/x86, CPython 3.11-3.13); downloads are
# cached in ~/.cache/vaxclean-bundle, so a rebuild needs no network
bundle: setup
	$(BIN)/vaxclean bundle-windows -o build/vaxclean-windows.zip

clean:
	rm -rf $(VENV) demo-output .pytest_cache
