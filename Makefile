# Seoul Learn — the two commands are `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEMO_SIZE ?= small
DEMO_SEED ?= 2022
PORT ?= 8000

.PHONY: setup system-packages run test lint fmt typecheck messages compilemessages clean-db ci

setup: $(STAMP) system-packages compilemessages

# Pinned install: direct pins in pyproject.toml, transitive pins in constraints.txt.
$(STAMP): pyproject.toml constraints.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[dev]"
	@touch $(STAMP)

# Chromium (browser tests), Noto CJK (Korean in PDFs and screenshots), gettext (translations).
system-packages:
	@missing=""; \
	command -v chromium >/dev/null || missing="$$missing chromium"; \
	fc-list 2>/dev/null | grep -qi "Noto Sans CJK" || missing="$$missing fonts-noto-cjk"; \
	command -v msgfmt >/dev/null || missing="$$missing gettext"; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null; then \
	    echo "installing system packages:$$missing"; \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null || \
	      { apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; }; \
	  else \
	    echo "Missing system packages:$$missing — install them with: sudo apt-get install$$missing" >&2; exit 1; \
	  fi; \
	fi

compilemessages: $(STAMP)
	@$(BIN)/python manage.py compilemessages --ignore=.venv --ignore=var -v 0

messages: $(STAMP)
	@for app in seoullearn/*/; do \
	  if [ -d "$$app/templates" ] || ls $$app*.py >/dev/null 2>&1; then \
	    (cd $$app && ../../$(BIN)/python ../../manage.py makemessages -l ko -l en --no-obsolete -v 0 2>/dev/null || true); \
	  fi; \
	done
	@$(BIN)/python manage.py makemessages -l ko -l en --no-obsolete -v 0 --ignore=.venv --ignore=var --ignore=seoullearn --ignore=sandbox_provider

run: setup
	$(BIN)/python manage.py migrate --no-input -v 0
	$(BIN)/python manage.py seed_demo --if-empty --size $(DEMO_SIZE) --seed $(DEMO_SEED)
	$(BIN)/python scripts/devserver.py --port $(PORT)

test: setup
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

fmt: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

typecheck: $(STAMP)
	$(BIN)/mypy .
	$(BIN)/lint-imports

ci:
	.ci/run

clean-db:
	rm -f var/seoullearn.sqlite3 var/seoullearn.sqlite3-wal var/seoullearn.sqlite3-shm
