# Two commands do everything: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run test browser format sandbox bench translations screenshots share-images clean

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml $(BIN)/activate
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test]'
	@touch $@

run: $(VENV)/.installed
	$(BIN)/flask --app shop seed
	$(BIN)/flask --app shop run --host $(HOST) --port $(PORT)

sandbox: $(VENV)/.installed
	$(BIN)/portone-sandbox --host $(HOST) --port 5001

# The tests in parallel, one pytest-xdist worker per core and one more (TEST_WORKERS=0: in this
# process), each module's tests on one worker, so a module's fixtures (the wheel of
# test_install.py) are built once. The extra worker runs while the others wait on a browser, a
# timeout or a server: on 2 cores, 3 workers ran the suite in 255 s where 2 took 280 s.
TEST_WORKERS ?= $(shell $(PYTHON) -c "import os; print(len(os.sched_getaffinity(0)) + 1 \
  if hasattr(os, 'sched_getaffinity') else (os.cpu_count() or 1) + 1)")

test: $(VENV)/.installed browser
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadscope

# What the browser tests need. Chromium: the system's if installed (the tests prefer it), else
# Playwright's own; where Playwright cannot download it (no route to its CDN), Debian's package
# when running as root with apt-get, else a message saying what to install. A Korean font for the
# sandbox's Kakao Pay window (the shop bundles its own, static/fonts/): Debian's fonts-noto-cjk
# where apt-get can install it, else a note.
CAN_APT := test "$$(id -u)" = 0 && command -v apt-get >/dev/null
APT_INSTALL := apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq

define NO_CHROMIUM
make test needs Chromium for its browser tests, and Playwright could not download its own.
Install your system's Chromium (Debian or Ubuntu: sudo apt-get install chromium; Fedora:
sudo dnf install chromium; macOS: brew install --cask chromium), or run
$(BIN)/playwright install chromium on a network that reaches Playwright's downloads.
Meanwhile the tests without a browser run with: $(BIN)/python -m pytest -m "not browser"
endef
export NO_CHROMIUM

browser: $(VENV)/.installed
	@command -v chromium >/dev/null || command -v chromium-browser >/dev/null \
	  || $(BIN)/playwright install chromium \
	  || { $(CAN_APT) && echo "Playwright could not download Chromium: installing Debian's chromium." \
	       && $(APT_INSTALL) chromium >/dev/null; } \
	  || { echo "$$NO_CHROMIUM" >&2; exit 1; }
	@! command -v chromium >/dev/null || command -v chromium-headless-shell >/dev/null \
	  || { $(CAN_APT) && echo "Installing Debian's chromium-headless-shell: the browser tests run in half the CPU." \
	       && $(APT_INSTALL) chromium-headless-shell >/dev/null; } \
	  || true
	@! command -v fc-list >/dev/null || test -n "$$(fc-list :lang=ko)" \
	  || { $(CAN_APT) && echo "Installing a Korean font (fonts-noto-cjk) for the sandbox's window." \
	       && $(APT_INSTALL) fonts-noto-cjk >/dev/null; } \
	  || echo "Note: no Korean font, so the sandbox's Kakao Pay window shows Korean as boxes." \
	          "Install one (Debian: fonts-noto-cjk) to read it in screenshots."

format: $(VENV)/.installed
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# The message catalogs: every string of the shop (babel.cfg says where) into messages.pot,
# new and changed ones into each language's messages.po (new ones untranslated, never guessed:
# tests/shop/test_language.py fails until each has its translation), then the .mo files the
# shop reads, committed so that every install, the wheel's included, has them.
translations: $(VENV)/.installed
	$(BIN)/pybabel extract -F babel.cfg -k lazy_gettext -k _l --add-location=file \
	  --no-wrap -o messages.pot .
	$(BIN)/pybabel update -i messages.pot -d shop/translations --no-fuzzy-matching \
	  --ignore-obsolete --no-wrap
	$(BIN)/pybabel compile -d shop/translations --statistics

# Every script in bench/ (none runs in `make test`): each prints its figures (docs/performance.md).
# bench/notifications.py needs PostgreSQL (TEST_POSTGRES_URL or --database; its tables are
# dropped and made again).
bench: $(VENV)/.installed
	@set -e; for script in bench/*.py; do \
	  case $$script in */__init__.py) continue;; esac; \
	  echo "== $$script"; $(BIN)/python $$script; \
	done

# The README's pictures of the shop, taken from the running shop and its embedded sandbox.
screenshots: $(VENV)/.installed browser
	$(BIN)/python tools/screenshots.py

# What shared links and browser tabs show (og:image, favicon), drawn from the shop's SVGs.
share-images: $(VENV)/.installed browser
	$(BIN)/python tools/share_images.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
