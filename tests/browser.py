"""Which Chromium the browser tests drive, how it is started, and which tests drive it."""

import shutil

import pytest

# Without the background-networking flags Chromium keeps reaching for Google's hosts, which a
# machine with no route out refuses, many times a second.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-gpu",
]

# pytest-playwright's fixtures that start Chromium: a test that uses any of them is a browser test.
BROWSER_FIXTURES = frozenset(
    {"browser", "browser_type", "context", "launch_browser", "new_context", "page"}
)


# Debian's Chromium, first choice first. Its headless shell is the browser Playwright itself runs
# headless tests in: the browser tests take about half the CPU in it that they take in the full
# ``chromium`` (45 against 81 CPU-seconds for tests/e2e/test_checkout.py), which cannot show a
# window (``--headed``) but otherwise serves as well.
HEADLESS_SHELL = "chromium-headless-shell"
SYSTEM_CHROMIUMS = ("chromium", "chromium-browser")


def system_chromium(headed: bool = False) -> str | None:
    """The system's Chromium (Debian's) if installed, its headless shell first unless the tests
    run ``headed``; else None, and Playwright's own runs."""
    names = SYSTEM_CHROMIUMS if headed else (HEADLESS_SHELL, *SYSTEM_CHROMIUMS)
    return next(filter(None, map(shutil.which, names)), None)


def drives_browser(item: pytest.Item) -> bool:
    """Whether a collected test starts Chromium, through any fixture it uses."""
    return not BROWSER_FIXTURES.isdisjoint(getattr(item, "fixturenames", ()))
