"""The shop's PortOne client against the standalone sandbox with faults armed: each fault is the
error the shop's code is written for."""

from urllib.parse import urlsplit

import pytest
import requests

from portone_sandbox import models
from shop.portone import PortOneClient, PortOneError, PortOneUnavailable
from tests.sandbox_controls import arm_fault

PAYMENT = "GET /payments/{imp_uid}"
# The client's timeouts: the shop's own read timeout, so that a healthy call on a loaded machine
# never times out, and a short one for the tests that make PortOne hang (HANG seconds).
TIMEOUT = (2, 5)
HANG_TIMEOUT = (2, 0.5)
HANG = 2


class RecordingSession(requests.Session):
    """A requests session that notes every answer it receives: (method, path, HTTP status)."""

    def __init__(self):
        super().__init__()
        self.calls: list[tuple[str, str, int]] = []
        self.hooks["response"].append(self._record)

    def _record(self, response, *args, **kwargs):
        self.calls.append(
            (response.request.method, urlsplit(response.url).path, response.status_code)
        )


@pytest.fixture
def session():
    with RecordingSession() as recording:
        yield recording


@pytest.fixture
def client(sandbox, session):
    return PortOneClient(
        sandbox.url, "sandbox-key", "sandbox-secret", timeout=TIMEOUT, session=session
    )


def a_payment(client, sandbox, session, customer_uid: str) -> str:
    """A payment the sandbox knows, made with a billing key; the calls it took are forgotten."""
    client.access_token()
    with sandbox.app.app_context():
        models.save_billing_key(customer_uid)
        models.db.session.commit()
    paid = client.pay_again(customer_uid, f"order_{customer_uid}_1", 14000, "원두 1kg")
    session.calls.clear()
    return paid["imp_uid"]


@pytest.fixture
def imp_uid(client, sandbox, session) -> str:
    return a_payment(client, sandbox, session, "customer_faults")


@pytest.mark.parametrize(
    ("fault", "status"),
    [
        # One more than the client's retries of a read.
        ({"kind": "500", "count": 3}, 500),
        ({"kind": "malformed", "count": 3}, 200),
        ({"kind": "hang", "delay": HANG}, None),
    ],
    ids=["500", "malformed", "hang"],
)
def test_an_unusable_answer_is_unavailable(client, sandbox, imp_uid, fault, status):
    if fault["kind"] == "hang":
        client.timeout = HANG_TIMEOUT
    arm_fault(sandbox.url, endpoint=PAYMENT, **fault)
    with pytest.raises(PortOneUnavailable) as caught:
        client.get_payment(imp_uid)
    assert caught.value.status == status


def test_a_failing_get_token_is_unavailable(client, sandbox):
    arm_fault(sandbox.url, kind="500", endpoint="POST /users/getToken", count=3)
    with pytest.raises(PortOneUnavailable):
        client.access_token()


def test_a_single_401_costs_one_renewal(client, sandbox, session, imp_uid):
    arm_fault(sandbox.url, kind="401", endpoint=PAYMENT)
    assert client.get_payment(imp_uid)["status"] == "paid"
    assert session.calls == [
        ("GET", f"/payments/{imp_uid}", 401),
        ("POST", "/users/getToken", 200),
        ("GET", f"/payments/{imp_uid}", 200),
    ]


def test_a_second_401_is_a_refusal_after_one_renewal(client, sandbox, session, imp_uid):
    arm_fault(sandbox.url, kind="401", endpoint=PAYMENT, count=2)
    with pytest.raises(PortOneError) as caught:
        client.get_payment(imp_uid)
    assert not isinstance(caught.value, PortOneUnavailable)
    assert (caught.value.status, caught.value.code) == (401, -1)
    assert [call[1] for call in session.calls].count("/users/getToken") == 1
