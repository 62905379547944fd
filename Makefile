PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install demo test lint bench sample clean fuzz

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/shipwatch demo

test: $(STAMP)
	$(BIN)/ruff check src tests tools
	$(BIN)/python -m pytest -q

lint: $(STAMP)
	$(BIN)/ruff check src tests tools

bench: $(STAMP)
	$(BIN)/python bench/run.py
	$(BIN)/python bench/detect.py
	$(BIN)/python bench/peers.py
	$(BIN)/python bench/profile.py

sample: $(STAMP)
	PYTHONPATH=tools $(BIN)/python -m sim data/sample_ais

clean:
	rm -rf shipwatch-demo .pytest_cache build

# Fuzz every reader (tests/fuzz, hypothesis): SHIPWATCH_FUZZ_EXAMPLES cases per reader (docs/fuzzing.md).
SHIPWATCH_FUZZ_EXAMPLES ?= 10000
fuzz: $(STAMP)
	SHIPWATCH_FUZZ_EXAMPLES=$(SHIPWATCH_FUZZ_EXAMPLES) $(BIN)/python -m pytest -q -m fuzz tests/fuzz -p no:randomly
