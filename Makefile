# The two set-up commands of the README:  `make demo`  and  `make test`.
# Each creates the virtual environment it needs; nothing has to be installed by hand first.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin

.PHONY: demo test lint bench clean

$(BIN)/chainsight: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $@

demo: $(BIN)/chainsight            ## generate a demo bank, ingest, analyse, serve (embedded store)
	$(BIN)/chainsight demo --out demo

# the whole suite (unit, real Neo4j over Bolt, notebooks, layers, types), then again without the
# integration tests on the lowest versions pyproject.toml allows
test: $(BIN)/chainsight
	tools/test
	tools/test-min

bench: $(BIN)/chainsight
	$(BIN)/python bench/ingest.py
	$(BIN)/python bench/analytics.py
	$(BIN)/python bench/appdb.py

clean:
	rm -rf demo build .pytest_cache .mypy_cache
