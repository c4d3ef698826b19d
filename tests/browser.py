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


def system_chromium() -> str | None:
    """The system's Chromium (Debian's ``chromium``) if installed; else Playwright's own runs."""
    return shutil.which("chromium") or shutil.which("chromium-browser")


def drives_browser(item: pytest.Item) -> bool:
    """Whether a collected test starts Chromium, through any fixture it uses."""
    return not BROWSER_FIXTURES.isdisjoint(getattr(item, "fixturenames", ()))
