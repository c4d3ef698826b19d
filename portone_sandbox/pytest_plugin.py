"""A pytest plugin that gives any PortOne V1 shop's tests an offline PortOne: the sandbox served
standalone (at the root path, as ``api.iamport.kr``) on a free loopback port for the session,
and emptied before each test.

It is off unless asked for: ``pytest -p portone_sandbox.pytest_plugin``, or ``--portone-sandbox``,
or ``portone_sandbox = true`` in the ini file (``[tool.pytest.ini_options]``). Then::

    def test_checkout(portone_sandbox, page):
        shop = start_my_shop(PORTONE_API_BASE=portone_sandbox.base_url,
                             IMP_KEY=portone_sandbox.api_key, IMP_SECRET=portone_sandbox.api_secret)
        ...
        assert portone_sandbox.payment(imp_uid)["status"] == "paid"

Fixtures:

- ``portone_sandbox``: the ``Sandbox`` below, reset for this test.
- ``portone_sandbox_server``: the same, not reset (session scope).
- ``portone_sandbox_config``: settings for ``portone_sandbox.create_app`` (session scope);
  override it in a ``conftest.py`` to set, say, ``SANDBOX_WEBHOOK_URL``.
"""

import math
import threading
import time

import pytest
import requests
from sqlalchemy import select
from werkzeug.serving import make_server

from portone_sandbox import create_app
from portone_sandbox.models import BillingKey, Payment, db

# The webhook log's long-poll answers within this many seconds; a longer wait asks again.
POLL = 5


class Sandbox:
    """The sandbox a test session talks to, and what a test may ask of it.

    ``base_url`` is what a shop uses as ``PORTONE_API_BASE``, ``sdk_url`` the ``iamport.js`` its
    pages load; ``imp_code``, ``api_key`` and ``api_secret`` are the credentials it accepts.
    """

    def __init__(self, app, base_url: str):
        self.app = app
        self.base_url = base_url
        self.sdk_url = f"{base_url}/v1/iamport.js"
        self.dashboard_url = f"{base_url}/"
        self.imp_code = app.config["SANDBOX_IMP_CODE"]
        self.api_key = app.config["SANDBOX_API_KEY"]
        self.api_secret = app.config["SANDBOX_API_SECRET"]
        self.clock = Clock(self)
        self.faults = Faults(self)

    def control(self, method: str, path: str, **kwargs) -> dict:
        """Call a test control (``/_sandbox/…``) with the secret; its JSON answer."""
        response = requests.request(
            method,
            f"{self.base_url}/_sandbox/{path}",
            headers={"Authorization": f"Bearer {self.api_secret}"},
            timeout=kwargs.pop("timeout", 10),
            **kwargs,
        )
        if response.status_code >= 400:
            raise SandboxError(
                f"{method} /_sandbox/{path}: HTTP {response.status_code} {response.text}"
            )
        return response.json()

    def reset(self) -> None:
        """Forget every payment, key, token, webhook and fault; the clock back to real time."""
        self.control("POST", "reset")

    # Webhooks --------------------------------------------------------------------------

    def webhooks(self) -> list[dict]:
        """Every webhook delivery since the last reset, oldest first, as the log records it:
        ``url``, ``body``, ``status``, ``result`` (``pending``, ``delivered``, ``failed``, or
        ``dropped``/``held`` by a fault), ``attempts``, ``http_status``…"""
        return self.control("GET", "webhooks")["deliveries"]

    def wait_for_webhooks(self, count: int = 1, timeout: float = 10.0) -> list[dict]:
        """Wait until ``count`` deliveries have a final result; then every delivery. Fails
        with the log when ``timeout`` seconds pass first."""
        deadline = time.monotonic() + timeout
        while True:
            # Whole seconds, rounded up: the last wait still waits instead of spinning.
            wait = math.ceil(min(max(deadline - time.monotonic(), 0.0), POLL))
            log = self.control(
                "GET", "webhooks", params={"wait_for": count, "timeout": wait}, timeout=wait + 10
            )
            if log["settled"]:
                return log["deliveries"]
            if time.monotonic() >= deadline:
                raise AssertionError(
                    f"expected {count} webhook(s) with a final result within {timeout} s; "
                    f"the sandbox's log: {log['deliveries']}"
                )

    # What PortOne holds -----------------------------------------------------------------

    def payment(self, imp_uid: str) -> dict | None:
        """The payment as ``GET /payments/{imp_uid}`` would answer it, or None. Read from the
        sandbox's database, so no armed fault gets in the way."""
        with self.app.app_context():
            found = db.session.get(Payment, imp_uid)
            return found.to_api() if found else None

    def payments(self, merchant_uid: str | None = None, status: str | None = None) -> list[dict]:
        """Every payment (of ``merchant_uid``, in ``status``), oldest first."""
        query = select(Payment).order_by(Payment.started_at, Payment.imp_uid)
        if merchant_uid is not None:
            query = query.where(Payment.merchant_uid == merchant_uid)
        if status is not None:
            query = query.where(Payment.status == status)
        with self.app.app_context():
            return [payment.to_api() for payment in db.session.scalars(query)]

    def billing_key(self, customer_uid: str) -> dict | None:
        """The billing key as ``GET /subscribe/customers/{customer_uid}`` would answer it, or
        None."""
        with self.app.app_context():
            found = db.session.get(BillingKey, customer_uid)
            return found.to_api() if found else None


class Clock:
    """The sandbox's clock: tokens expire and (where served) schedules fall due by it."""

    def __init__(self, sandbox: Sandbox):
        self._sandbox = sandbox

    def now(self) -> int:
        """The sandbox's time, in unix seconds."""
        return self._sandbox.control("GET", "clock")["now"]

    def advance(self, days: int = 0, hours: int = 0, minutes: int = 0, seconds: int = 0) -> int:
        """Move the clock forward; the sandbox's new time."""
        total = ((days * 24 + hours) * 60 + minutes) * 60 + seconds
        return self._sandbox.control("POST", "clock/advance", json={"seconds": total})["now"]


class Faults:
    """Faults armed on purpose: see ``portone_sandbox.faults`` for the kinds."""

    def __init__(self, sandbox: Sandbox):
        self._sandbox = sandbox

    def arm(
        self,
        kind: str,
        count: int = 1,
        endpoint: str | None = None,
        delay: float | None = None,
        copies: int | None = None,
    ) -> dict:
        """Make the next ``count`` API calls (of ``endpoint``, e.g. ``"GET /payments/{imp_uid}"``)
        fail as ``kind`` says (``"500"``, ``"hang"``, ``"malformed"``, ``"401"``), or the next
        ``count`` webhooks (``"drop"``, ``"duplicate"``, ``"delay"``, ``"reorder"``)."""
        fault = {
            "kind": kind,
            "count": count,
            "endpoint": endpoint,
            "delay": delay,
            "copies": copies,
        }
        body = {name: value for name, value in fault.items() if value is not None}
        return self._sandbox.control("POST", "faults", json=body)["fault"]

    def list(self) -> list[dict]:
        """Every fault since the last reset, with how many uses each has ``remaining``."""
        return self._sandbox.control("GET", "faults")["faults"]

    def clear(self) -> None:
        self._sandbox.control("DELETE", "faults")


class SandboxError(Exception):
    """A test control refused what it was asked."""


class _Server:
    """A WSGI app served over HTTP on 127.0.0.1 and a free port, on a thread."""

    def __init__(self, app):
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.thread.join(timeout=5)


@pytest.fixture(scope="session")
def portone_sandbox_config() -> dict:
    """Settings for the session's sandbox (keys of ``portone_sandbox.DEFAULTS``); its database
    is a file of its own unless ``SQLALCHEMY_DATABASE_URI`` names one."""
    return {}


@pytest.fixture(scope="session")
def portone_sandbox_server(portone_sandbox_config, tmp_path_factory) -> Sandbox:
    """The sandbox, served for the whole session."""
    database = tmp_path_factory.mktemp("portone-sandbox") / "sandbox.sqlite3"
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{database}", **portone_sandbox_config})
    server = _Server(app)
    yield Sandbox(app, server.url)
    server.stop()
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def portone_sandbox(portone_sandbox_server) -> Sandbox:
    """The session's sandbox, emptied for this test."""
    portone_sandbox_server.reset()
    return portone_sandbox_server
