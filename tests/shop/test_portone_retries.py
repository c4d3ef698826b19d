"""Retries with backoff, for reads only: a read PortOne answered unusably (5xx, a malformed body)
is asked again after a growing pause; a write that failed is never sent again, since it may
have been made; a read that timed out is not repeated, the breaker answers instead."""

import pytest

from shop.portone import PortOneClient, PortOneUnavailable
from tests.sandbox_controls import arm_fault, control
from tests.shop.test_portone_client_faults import (
    HANG,
    HANG_TIMEOUT,
    PAYMENT,
    TIMEOUT,
    RecordingSession,
    a_payment,
)


@pytest.fixture
def session():
    with RecordingSession() as recording:
        yield recording


@pytest.fixture
def pauses() -> list[float]:
    return []


@pytest.fixture
def client(sandbox, session, pauses):
    return PortOneClient(
        sandbox.url,
        "sandbox-key",
        "sandbox-secret",
        timeout=TIMEOUT,
        retries=2,
        backoff=0.2,
        session=session,
        sleep=pauses.append,
    )


@pytest.fixture
def imp_uid(client, sandbox, session) -> str:
    return a_payment(client, sandbox, session, "customer_retries")


def remaining(sandbox) -> list[int]:
    faults = control("GET", f"{sandbox.url}/_sandbox/faults").json()["faults"]
    return [fault["remaining"] for fault in faults]


@pytest.mark.parametrize("kind", ["500", "malformed"])
def test_a_read_answered_unusably_is_asked_again_with_growing_pauses(
    client, sandbox, session, pauses, imp_uid, kind
):
    arm_fault(sandbox.url, kind=kind, endpoint=PAYMENT, count=2)
    assert client.get_payment(imp_uid)["status"] == "paid"
    assert [call[1] for call in session.calls] == [f"/payments/{imp_uid}"] * 3
    # 0.2 s then 0.4 s, each shortened at random by at most half.
    assert len(pauses) == 2
    assert 0.1 <= pauses[0] <= 0.2
    assert 0.2 <= pauses[1] <= 0.4


def test_reads_give_up_after_their_retries(client, sandbox, session, pauses, imp_uid):
    arm_fault(sandbox.url, kind="500", endpoint=PAYMENT, count=5)
    with pytest.raises(PortOneUnavailable):
        client.get_payment(imp_uid)
    assert len(session.calls) == 3
    assert remaining(sandbox) == [2]


def test_a_read_that_timed_out_is_not_repeated(client, sandbox, pauses, imp_uid):
    client.timeout = HANG_TIMEOUT
    arm_fault(sandbox.url, kind="hang", endpoint=PAYMENT, count=2, delay=HANG)
    with pytest.raises(PortOneUnavailable, match="ReadTimeout"):
        client.get_payment(imp_uid)
    assert pauses == []
    assert remaining(sandbox) == [1]


def test_the_token_fetch_is_retried(client, sandbox, session):
    arm_fault(sandbox.url, kind="500", endpoint="POST /users/getToken")
    assert client.access_token()
    assert [call[2] for call in session.calls] == [500, 200]


WRITES = {
    "prepare": (
        "POST /payments/prepare",
        lambda client, imp_uid: client.prepare("order_retries_2", 1000),
    ),
    "cancel": (
        "POST /payments/cancel",
        lambda client, imp_uid: client.cancel_payment(imp_uid, reason="test"),
    ),
    "again": (
        "POST /subscribe/payments/again",
        lambda client, imp_uid: client.pay_again("customer_retries", "order_retries_3", 1000, "x"),
    ),
    "schedule": (
        "POST /subscribe/payments/schedule",
        lambda client, imp_uid: client.schedule(
            "customer_retries",
            [{"merchant_uid": "order_retries_4", "schedule_at": 4102444800, "amount": 1000}],
        ),
    ),
}


@pytest.mark.parametrize("write", WRITES.values(), ids=WRITES.keys())
@pytest.mark.parametrize("kind", ["500", "malformed"])
def test_a_write_is_never_sent_twice(client, sandbox, session, pauses, imp_uid, write, kind):
    endpoint, call = write
    arm_fault(sandbox.url, kind=kind, endpoint=endpoint, count=2)
    with pytest.raises(PortOneUnavailable):
        call(client, imp_uid)
    assert len(session.calls) == 1
    assert pauses == []
    assert remaining(sandbox) == [1]
    # Nothing was made: the payment is still paid, nothing prepared, charged or booked.
    assert client.get_payment(imp_uid)["status"] == "paid"
