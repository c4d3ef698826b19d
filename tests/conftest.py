"""Fixtures shared by every kind of test: live servers on free loopback ports, and one browser."""

import os
import shutil
import threading

import pytest
from werkzeug.serving import make_server

import portone_sandbox as sandbox_pkg
from tests.sandbox_controls import reset_sandbox

# The PostgreSQL database of the tests marked ``postgres``; they create and drop their tables.
POSTGRES_URL = os.environ.get(
    "TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-gpu",
]


class LiveServer:
    """A WSGI app served over real HTTP on 127.0.0.1 and a free port, in a thread."""

    def __init__(self, app):
        self.app = app
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.port = self.server.server_port
        self.url = f"http://127.0.0.1:{self.port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self) -> "LiveServer":
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.thread.join(timeout=5)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """Debian's Chromium when the machine has one; otherwise Playwright's own."""
    args = {**browser_type_launch_args, "args": CHROMIUM_ARGS}
    system = shutil.which("chromium") or shutil.which("chromium-browser")
    if system:
        args["executable_path"] = system
    return args


@pytest.fixture(scope="session")
def sandbox_server(tmp_path_factory):
    """A standalone sandbox (mounted at /, as ``python -m portone_sandbox`` serves it)."""
    db_path = tmp_path_factory.mktemp("sandbox") / "sandbox.sqlite3"
    app = sandbox_pkg.create_app(
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{db_path}",
            "SANDBOX_WEBHOOK_RETRY_INTERVAL": 0.2,
            "SANDBOX_WEBHOOK_TIMEOUT": 2.0,
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
