"""Fixtures for the sandbox's contract tests: a PortOne client with a token, billing keys seeded in
the sandbox's database, charges made and schedules booked with them, the clock, and a receiver
that captures webhooks."""

import pytest

from portone_sandbox import models, schedule_runner
from tests.sandbox.contract import Api, Receiver, ReceiverSlot, new_merchant_uid, ok
from tests.sandbox_controls import LONGEST_WAIT, control
from tests.sandbox_controls import webhook_log as delivery_log
from tests.servers import LiveServer


@pytest.fixture
def api(sandbox) -> Api:
    client = Api(sandbox.url, "")
    client.renew()
    return client


@pytest.fixture
def seed_key(sandbox):
    """Issue a billing key straight into the sandbox's database, as the window would."""

    def seed(customer_uid: str = "customer_1", **fields) -> str:
        with sandbox.app.app_context():
            models.save_billing_key(customer_uid, **fields)
            models.db.session.commit()
        return customer_uid

    return seed


@pytest.fixture
def charge(api, seed_key):
    """Charge a billing key with ``again``; by default a KakaoMoney key that approves."""

    def again(customer_uid: str | None = None, **fields) -> dict:
        if customer_uid is None:
            customer_uid = seed_key("customer_money")
        body = {
            "customer_uid": customer_uid,
            "merchant_uid": new_merchant_uid(),
            "amount": 14000,
            "name": "월간 원두 구독",
            **fields,
        }
        return ok(api.post("/subscribe/payments/again", json=body))

    return again


@pytest.fixture
def advance(sandbox):
    """Move the sandbox's clock forward."""

    def forward(seconds: int) -> None:
        response = control(
            "POST", f"{sandbox.url}/_sandbox/clock/advance", json={"seconds": seconds}, timeout=5
        )
        assert response.status_code == 200, response.text

    return forward


@pytest.fixture
def clock(sandbox):
    """Read the sandbox's clock: its ``now`` in unix seconds."""

    def read() -> int:
        response = control("GET", f"{sandbox.url}/_sandbox/clock", timeout=5)
        assert response.status_code == 200, response.text
        return response.json()["now"]

    return read


@pytest.fixture
def book(api):
    """Book schedules of a billing key; the ScheduleResults."""

    def schedule(customer_uid: str, *entries: dict) -> list[dict]:
        body = {"customer_uid": customer_uid, "schedules": list(entries)}
        return ok(api.post("/subscribe/payments/schedule", json=body))

    return schedule


@pytest.fixture
def no_runner(sandbox, monkeypatch):
    """No background runner in this test: due schedules run only when a test runs them."""
    monkeypatch.setitem(sandbox.app.config, "SANDBOX_SCHEDULE_RUNNER", False)
    schedule_runner.stop(sandbox.app)


@pytest.fixture
def held_answers(receiver, sandbox, monkeypatch):
    """The receiver holds its answers until ``receiver.open`` is set, and the delivery stays in
    flight that long (the sandbox gives up on a silent receiver after 2 s otherwise)."""
    monkeypatch.setitem(sandbox.app.config, "SANDBOX_WEBHOOK_TIMEOUT", LONGEST_WAIT)
    receiver.open.clear()


@pytest.fixture
def webhook_log(sandbox):
    """The sandbox's delivery log; ``wait_for``/``idle`` wait until that state."""

    def log(**params) -> dict:
        return delivery_log(sandbox.url, **params)

    return log


@pytest.fixture(scope="session")
def receiver_server():
    """One loopback server for every test's receiver: starting and stopping a server per test
    costs half a second each."""
    server = LiveServer(ReceiverSlot()).start()
    yield server
    server.stop()


@pytest.fixture
def receiver(receiver_server):
    """This test's webhook receiver; ``receiver.url`` is its notice_url."""
    target = Receiver()
    target.url = f"{receiver_server.url}/portone-webhook"
    receiver_server.server.app.current = target
    yield target
    target.open.set()
