# The two commands in the README: `make dev` runs Convene locally, `make test` runs every check.
# Both create (or reuse) .venv and install what they need, so they work from a fresh clone.

VENV ?= .venv
PY := $(VENV)/bin/python
INSTALLED := $(VENV)/.installed
#: The Lambda runtime's Python (LAMBDA_PYTHON in infra/stack.py): the tests and `convene dev` run on
#: the same version. pyenv's build is preferred (its `python3.13` shim only works when selected).
PYTHON_VERSION := 3.13
PYTHON ?= $(firstword $(wildcard $(HOME)/.pyenv/versions/$(PYTHON_VERSION).*/bin/python$(PYTHON_VERSION) \
  /usr/local/bin/python$(PYTHON_VERSION) /usr/bin/python$(PYTHON_VERSION)) python$(PYTHON_VERSION))

.PHONY: dev test lint typecheck unit browser chromium synth schemas fuzz bench clean

$(INSTALLED): pyproject.toml
	@# A venv left from another Python version is rebuilt, not reused.
	@$(PY) -c 'import sys; sys.exit(sys.version_info[:2] != tuple(map(int, "$(PYTHON_VERSION)".split("."))))' \
	  2>/dev/null || rm -rf $(VENV)
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@

dev: $(INSTALLED)
	$(VENV)/bin/convene dev

# axe-core for the browser tests' accessibility checks, from the npm registry (package-lock.json).
node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --silent
	touch $@

# Debian's Chromium for the browser tests (Playwright drives it; it never downloads a browser).
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq chromium >/dev/null; }

lint: $(INSTALLED)
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

typecheck: $(INSTALLED)
	$(PY) -m mypy

test: $(INSTALLED) node_modules/.installed chromium lint typecheck
	JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION=20 $(PY) -m pytest -n 2 --dist loadfile -q

# Synthesizes the template to read it offline; a deployment (`cdk deploy`) refuses placeholders.
synth: $(INSTALLED)
	JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION=20 CDK_CONTEXT_JSON='{"allow_placeholders": "true"}' $(PY) -m infra.app

schemas: $(INSTALLED)
	$(VENV)/bin/convene export-schemas

# A longer, randomised schemathesis campaign than the suite's bounded one.
fuzz: $(INSTALLED)
	FUZZ_EXAMPLES=300 FUZZ_RANDOM=1 $(PY) -m pytest tests/test_fuzz.py -q

bench: $(INSTALLED)
	$(PY) bench/run.py

clean:
	rm -rf build cdk.out .pytest_cache .mypy_cache .ruff_cache
