PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install demo test lint bench sample clean fuzz fuzz-a fuzz-b

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

# Fuzz every reader (tests/fuzz, hypothesis): SHIPWATCH_FUZZ_EXAMPLES cases per reader (docs/fuzzing.md),
# in two pytest processes (one per core); the input of each one's running case is kept in bench/out/fuzz/.
SHIPWATCH_FUZZ_EXAMPLES ?= 10000
FUZZ_A := satellite or mapped or nmea_types or parquet_bytes
FUZZ = SHIPWATCH_FUZZ_EXAMPLES=$(SHIPWATCH_FUZZ_EXAMPLES) $(BIN)/python -m pytest -q -m fuzz tests/fuzz -p no:randomly
fuzz: $(STAMP)
	mkdir -p bench/out/fuzz
	$(MAKE) -j2 fuzz-a fuzz-b

fuzz-a:
	SHIPWATCH_FUZZ_LAST_CASE=bench/out/fuzz/last-a $(FUZZ) -k "$(FUZZ_A)"

fuzz-b:
	SHIPWATCH_FUZZ_LAST_CASE=bench/out/fuzz/last-b $(FUZZ) -k "not ($(FUZZ_A))"
