# Two commands for a newcomer: `make demo` and `make test`. Everything else is their parts.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
DEMO_PEOPLE ?= 3000
# PostgreSQL for the second test run; the machine's server trusts local connections.
PG_URL ?= postgres://postgres@127.0.0.1:5432/bianmin
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: demo test install lint test-sqlite test-postgres browser bench messages app-messages clean

$(VENV)/.installed: requirements.txt requirements-dev.txt pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install -q --disable-pip-version-check -r requirements-dev.txt
	$(BIN)/pip install -q --disable-pip-version-check --no-deps --no-build-isolation -e .
	touch $@

install: $(VENV)/.installed

demo: install
	BIANMIN_ENV=dev $(BIN)/bianmin migrate --no-input -v 0
	BIANMIN_ENV=dev $(BIN)/bianmin seed --people $(DEMO_PEOPLE) --if-empty
	BIANMIN_ENV=dev $(BIN)/bianmin demo_logins --url http://127.0.0.1:$(PORT)/
	@# The worker (message delivery to var/outbox/, deadline sweeps, imports) runs beside the
	@# server, no broker, and the trap stops it with the server (Ctrl+C, or an error).
	BIANMIN_ENV=dev $(BIN)/bianmin worker & worker=$$!; \
	  trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM; \
	  BIANMIN_ENV=dev $(BIN)/bianmin runserver 127.0.0.1:$(PORT)

lint: install
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	BIANMIN_ENV=test $(BIN)/bianmin makemigrations --check --dry-run -v 1

# Chromium for the Playwright tests, and a CJK font so screenshots show Chinese, not boxes.
browser:
	@{ command -v chromium >/dev/null 2>&1 && fc-list 2>/dev/null | grep -qi "wenquanyi\|noto.*cjk"; } || { \
	  echo "Installing Debian's Chromium and a Chinese font for the browser tests"; \
	  (apt-get update -qq && apt-get install -y -qq chromium fonts-wqy-microhei >/dev/null) || \
	  echo "!!! Chromium could not be installed: browser tests will be skipped !!!"; }

test-sqlite: install browser
	BIANMIN_ENV=test $(BIN)/pytest -n 2 -p no:cacheprovider

test-postgres: install
	@if $(BIN)/python -c "import psycopg,sys; psycopg.connect('$(PG_URL)'.rsplit('/',1)[0]+'/postgres', connect_timeout=3).close()" 2>/dev/null; then \
	  BIANMIN_ENV=test DATABASE_URL=$(PG_URL) $(BIN)/pytest -n 2 -p no:cacheprovider -m "not browser"; \
	else \
	  echo; echo "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!"; \
	  echo "!!! PostgreSQL is not reachable at $(PG_URL): PostgreSQL run SKIPPED !!!"; \
	  echo "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!"; echo; \
	fi

test: lint test-sqlite test-postgres

messages: install
	cd src/bianmin && BIANMIN_ENV=dev ../../$(BIN)/bianmin makemessages -l en --no-obsolete && \
	  BIANMIN_ENV=dev ../../$(BIN)/bianmin compilemessages -l en

# One app's own catalogue (src/bianmin/<app>/locale): `make app-messages APP=certificates`.
# Apps with their own locale/ keep their strings out of the shared project catalogue.
app-messages: install
	cd src/bianmin/$(APP) && mkdir -p locale/en/LC_MESSAGES && \
	  BIANMIN_ENV=dev ../../../$(BIN)/bianmin makemessages -l en --no-obsolete && \
	  msgfmt --check-format -o locale/en/LC_MESSAGES/django.mo locale/en/LC_MESSAGES/django.po

bench: install
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) var .pytest_cache
