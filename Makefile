# crawlsift developer entry points. `make run` and `make test` are the README's two commands.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
SAMPLE := tests/data/warc/*.warc.gz tests/data/warc/*.warc tests/data/warc/*.arc.gz
OUT    ?= out/sample

.PHONY: install run test bench model clean

$(BIN)/crawlsift: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	@touch $@

install: $(BIN)/crawlsift

# Run the whole pipeline on the real sample WARCs bundled in tests/data/warc.
run: install
	$(BIN)/crawlsift run --input $(SAMPLE) --output $(OUT) --runner=DirectRunner
	@echo "Output in $(OUT): documents/*.parquet (kept), rejected/*.parquet (with reject_reason), report.json, report.html"

test: install
	$(BIN)/python -m pytest -q

bench: install
	for b in benchmarks/bench_*.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

# Rebuild the shipped KenLM model from the shipped reference corpus (needs cmake + Boost; see filters/models/MODEL_CARD.md).
model:
	bash tools/build_kenlm.sh
	$(BIN)/python tools/build_model.py

clean:
	rm -rf out .pytest_cache
