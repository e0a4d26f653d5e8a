# One command per job on a fresh machine; each sets up what it needs first.
PY ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: setup test demo lint system-deps

$(BIN)/touchaudit: pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test]'
	touch $@

setup: $(BIN)/touchaudit

# Debian packages the test suite uses (a real Redis, a real headless Chromium).
system-deps:
	@if command -v apt-get >/dev/null && { ! command -v redis-server >/dev/null || ! command -v chromium >/dev/null; }; then \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server chromium >/dev/null; \
	fi

test: system-deps setup
	$(BIN)/ruff check .
	$(BIN)/pytest -q

demo: setup
	$(BIN)/touchaudit demo -o touchaudit-out
