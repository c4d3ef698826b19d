"""Fixtures shared by every kind of test: live servers on free loopback ports, and one browser.

Two hooks sort the tests: one marks ``browser`` every test that starts Chromium (so ``pytest -m
"not browser"`` runs the fast layer), one skips the ``postgres`` and ``redis`` tests, with a
message saying how to run them, when no PostgreSQL or Redis answers (``REQUIRE_POSTGRES=1`` and
``REQUIRE_REDIS=1`` make that a failure, as in CI).
Helpers live in modules beside this file (``tests/servers.py``, ``tests/browser.py``, …).
"""

import pytest
from playwright.sync_api import expect

import portone_sandbox as sandbox_pkg
from tests.browser import CHROMIUM_ARGS, drives_browser, system_chromium
from tests.language import BROWSER_LOCALES
from tests.postgres import empty_postgres, require_postgres, without_commit_waits
from tests.redis import require_redis
from tests.sandbox_controls import reset_sandbox
from tests.servers import LiveServer
from tests.sqlite import without_fsync

# What the hundreds of databases the tests make would wait for: the disk, on every commit.
without_fsync()
without_commit_waits()

# A browser assertion waits this long for its state (Playwright's default is 5 s): pages and the
# Kakao Pay window take longer than that on a loaded machine, and a passing wait ends at once.
expect.set_options(timeout=15_000)


def pytest_collection_modifyitems(items):
    """Mark ``browser`` every test that starts Chromium through a pytest-playwright fixture."""
    for item in items:
        if drives_browser(item):
            item.add_marker(pytest.mark.browser)


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    """Before any fixture: a ``postgres`` fixture would otherwise fail trying to connect, and
    would find the tables an earlier test (or run) left behind."""
    if item.get_closest_marker("postgres"):
        require_postgres()
        empty_postgres()
    if item.get_closest_marker("redis"):
        require_redis()


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args, pytestconfig):
    """Debian's Chromium when the machine has one; otherwise Playwright's own."""
    args = {**browser_type_launch_args, "args": CHROMIUM_ARGS}
    system = system_chromium(headed=pytestconfig.getoption("--headed"))
    if system:
        args["executable_path"] = system
    return args


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    """Browsers ask for English, the language the tests name things in (tests/e2e can ask for
    Korean through its ``lang`` fixture)."""
    return {**browser_context_args, "locale": BROWSER_LOCALES["en"]}


@pytest.fixture(scope="session")
def sandbox_server(tmp_path_factory):
    """A standalone sandbox (mounted at /, as ``python -m portone_sandbox`` serves it)."""
    db_path = tmp_path_factory.mktemp("sandbox") / "sandbox.sqlite3"
    app = sandbox_pkg.create_app(
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{db_path}",
            "SANDBOX_WEBHOOK_RETRY_INTERVAL": 0.2,
            # Tests hold a delivery open at their receiver while they look at it; at 2 s, a
            # machine busy with parallel workers let it time out under them.
            "SANDBOX_WEBHOOK_TIMEOUT": 10.0,
        }
    )
    server = LiveServer(app).start()
    yield server
    server.stop()


@pytest.fixture
def sandbox(sandbox_server):
    """The standalone sandbox, reset to an empty state for this test."""
    reset_sandbox(sandbox_server.url)
    return sandbox_server
