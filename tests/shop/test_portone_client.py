"""The PortOne client, over real HTTP against the standalone sandbox and in-process."""

import threading

import pytest
import requests
from flask import Flask, Response

from shop.checkout.orders import new_merchant_uid
from shop.portone import (
    InvalidIdentifier,
    PortOneClient,
    PortOneError,
    PortOneNotFound,
    PortOneUnavailable,
)
from tests.sandbox_controls import reset_sandbox
from tests.servers import LiveServer
from tests.shop import fake_portone


@pytest.fixture
def client(sandbox):
    return PortOneClient(sandbox.url, "sandbox-key", "sandbox-secret", timeout=(1, 3))


def test_token_is_fetched_once_and_reused(client):
    first = client.access_token()
    client.prepare("ord_reuse_1", 14000)
    client.get_prepared("ord_reuse_1")
    assert client.access_token() == first
    assert len(first) == 40


def test_new_token_once_after_a_401(client, sandbox):
    stale = client.access_token()
    # A reset forgets every token, as PortOne does when one is revoked.
    reset_sandbox(sandbox.url)
    assert client.prepare("ord_after_401", 1000)["amount"] == 1000
    assert client.access_token() != stale


def test_refusal_carries_status_code_and_message(client):
    client.prepare("ord_twice", 5000)
    with pytest.raises(PortOneError) as caught:
        client.prepare("ord_twice", 5000)
    assert caught.value.status == 200
    assert caught.value.code == 1
    assert "merchant_uid" in caught.value.message


def test_unknown_payment_is_not_found(client):
    with pytest.raises(PortOneNotFound) as caught:
        client.get_payment("imp_000000000000")
    assert caught.value.status == 404
    assert caught.value.code == -1


class NoNetwork(requests.Session):
    """Records each request the client tries to send, and sends none."""

    def __init__(self):
        super().__init__()
        self.sent: list[str] = []

    def request(self, method, url, *args, **kwargs):
        self.sent.append(url)
        raise requests.ConnectionError("this test has no network")


# (method, arguments): each with an id PortOne never issues or takes, most of them a way into
# another endpoint once PortOne's server decodes %2F.
BAD_IDS = {
    "status-endpoint": ("get_payment", "status/paid"),
    "find-endpoint": ("get_payment", "find/ord_20261127_0123456789abcdef"),
    "prepare-endpoint": ("cancel_payment", "prepare/ord_20261127_0123456789abcdef"),
    "up-and-over": ("get_payment", "../users/getToken"),
    "dot": ("get_payment", "."),
    "dots": ("get_payment", ".."),
    "encoded-dots": ("get_payment", "%2E%2E"),
    "too-long": ("get_payment", "imp_" + "1" * 70_000),
    "full-width-digits": ("get_payment", "imp_１２３４５６７８９０１２"),
    "trailing-newline": ("get_payment", "imp_123456789012\n"),
    "not-a-string": ("get_payment", 123456789012),
    "merchant_uid-with-a-slash": ("find_payment", "ord_1/paid"),
    "payment-status": ("find_payment", "ord_1", "paid/../.."),
    "prepared-dots": ("get_prepared", ".."),
    "merchant_uid-with-a-space": ("prepare", "ord 1", 1000),
    "merchant_uid-of-41": ("prepare", "o" * 41, 1000),
    "customer_uid-with-a-slash": ("get_customer", "cust_1/payments"),
    "empty-customer_uid": ("delete_customer", ""),
    "again-merchant_uid": ("pay_again", "cust_1", "find/ord_1", 1000, "Monthly tea"),
    "customer_uid-of-81": ("pay_again", "c" * 81, "ord_1", 1000, "Monthly tea"),
    "schedule-customer_uid": ("schedule", "cust_1/payments", [{"merchant_uid": "sub_1_p2"}]),
    "schedule-merchant_uid": ("schedule", "cust_1", [{"merchant_uid": "sub_1_p2/../x"}]),
    "schedule-without-merchant_uid": ("schedule", "cust_1", [{"amount": 1000}]),
    "unschedule-merchant_uid": ("unschedule", "cust_1", ["sub_1_p2", ".."]),
    "unschedule-customer_uid": ("unschedule", "", ["sub_1_p2"]),
    "get_schedule-customers-path": ("get_schedule", "customers/cust_1"),
}


@pytest.mark.parametrize("call", BAD_IDS.values(), ids=BAD_IDS.keys())
def test_ids_not_of_portones_shape_never_leave_the_shop(call):
    method, *args = call
    network = NoNetwork()
    client = PortOneClient("http://portone.invalid", "k", "s", session=network)
    with pytest.raises(PortOneError) as caught:
        getattr(client, method)(*args)
    assert network.sent == []
    assert isinstance(caught.value, InvalidIdentifier)


@pytest.mark.parametrize("imp_uid", ["imp_123456789012", "imps_123456789012"])
def test_payment_ids_as_portone_issues_them_are_sent(client, imp_uid):
    with pytest.raises(PortOneNotFound):
        client.get_payment(imp_uid)


# The shop's own id is new on every collection: named, so that pytest-xdist's workers, which
# each collect the tests, agree on the test's id.
@pytest.mark.parametrize(
    "merchant_uid",
    [
        pytest.param(new_merchant_uid(), id="shops-own"),
        "ORDER-2026-11-27.1",
        "shop:ord@1",
        "o" * 40,
    ],
)
def test_merchant_uids_a_merchant_would_choose_are_sent(client, merchant_uid):
    assert client.prepare(merchant_uid, 1000)["merchant_uid"] == merchant_uid
    assert client.get_prepared(merchant_uid)["amount"] == 1000


@pytest.mark.parametrize("customer_uid", ["cust_1", "minji@example.com", "c" * 80])
def test_customer_uids_a_merchant_would_choose_are_sent(client, customer_uid):
    with pytest.raises(PortOneNotFound):
        client.get_customer(customer_uid)


PAYMENT = fake_portone.PAYMENT


def _without(name: str) -> dict:
    return {key: value for key, value in PAYMENT.items() if key != name}


NOT_PAYMENTS = {
    # What GET /payments/status/paid answers.
    "a-page-of-payments": {"total": 0, "previous": 0, "next": 0, "list": []},
    "nothing": None,
    "a-list": [PAYMENT],
    **{f"no-{name}": _without(name) for name in PAYMENT},
    "amount-as-text": {**PAYMENT, "amount": "14000"},
    "amount-as-true": {**PAYMENT, "amount": True},
    "status-null": {**PAYMENT, "status": None},
    "another-imp_uid": {**PAYMENT, "imp_uid": "imp_999999999999"},
}


@pytest.mark.parametrize("answer", NOT_PAYMENTS.values(), ids=NOT_PAYMENTS.keys())
def test_a_payment_answer_without_its_fields_is_a_refusal(answer):
    with fake_portone.answering(answer) as client, pytest.raises(PortOneError) as caught:
        client.get_payment(PAYMENT["imp_uid"])
    assert not isinstance(caught.value, PortOneUnavailable)


def test_a_payment_of_another_merchant_uid_is_a_refusal():
    with fake_portone.answering(PAYMENT) as client:
        assert client.find_payment(PAYMENT["merchant_uid"]) == PAYMENT
        with pytest.raises(PortOneError):
            client.find_payment("ord_20261127_ffffffffffffffff")


def test_wrong_credentials_are_refused(sandbox):
    client = PortOneClient(sandbox.url, "sandbox-key", "wrong", timeout=(1, 3))
    with pytest.raises(PortOneError) as caught:
        client.get_payment("imp_000000000000")
    assert caught.value.status == 401


def _odd_server(view) -> LiveServer:
    app = Flask("odd")
    app.add_url_rule("/<path:path>", view_func=view, methods=["GET", "POST"])
    return LiveServer(app).start()


def test_read_timeout_is_unavailable():
    release = threading.Event()

    def slow(path):
        release.wait(5)
        return Response("{}", mimetype="application/json")

    server = _odd_server(slow)
    try:
        client = PortOneClient(server.url, "k", "s", timeout=(1, 0.3))
        with pytest.raises(PortOneUnavailable):
            client.get_payment("imp_123456789012")
    finally:
        release.set()
        server.stop()


def test_body_without_envelope_is_unavailable():
    server = _odd_server(lambda path: Response("<html>maintenance</html>", status=502))
    try:
        client = PortOneClient(server.url, "k", "s", timeout=(1, 3))
        with pytest.raises(PortOneUnavailable) as caught:
            client.access_token()
        assert caught.value.status == 502
    finally:
        server.stop()


def test_connection_refused_is_unavailable():
    server = _odd_server(lambda path: "")
    url = server.url
    server.stop()
    client = PortOneClient(url, "k", "s", timeout=(0.5, 1))
    with pytest.raises(PortOneUnavailable):
        client.access_token()


def test_embedded_client_reaches_the_mounted_sandbox_without_a_socket(app):
    client = app.extensions["portone"]
    assert client.api_base.startswith("http://portone-sandbox.embedded")
    with app.test_request_context(base_url="http://shop.test"):
        prepared = client.prepare("ord_embedded_1", 23000)
        assert (prepared["merchant_uid"], prepared["amount"]) == ("ord_embedded_1", 23000)
        assert client.get_prepared("ord_embedded_1")["amount"] == 23000


NOT_BOOKINGS = {
    "nothing": None,
    "a-page": {"total": 0, "previous": 0, "next": 0, "list": []},
    "no-schedule_status": {"customer_uid": "cust_1", "merchant_uid": "sub_1_p2", "schedule_at": 1},
    "another-merchant_uid": {
        "customer_uid": "cust_1",
        "merchant_uid": "sub_1_p3",
        "schedule_at": 1,
        "schedule_status": "scheduled",
        "imp_uid": None,
        "payment_status": None,
    },
}


@pytest.mark.parametrize("answer", NOT_BOOKINGS.values(), ids=NOT_BOOKINGS.keys())
def test_a_booking_answer_without_its_fields_is_a_refusal(answer):
    with fake_portone.answering(answer) as client, pytest.raises(PortOneError) as caught:
        client.get_schedule("sub_1_p2")
    assert not isinstance(caught.value, PortOneUnavailable)


def test_a_booking_answer_of_the_wrong_length_is_a_refusal():
    entry = {"merchant_uid": "sub_1_p2", "schedule_at": 1, "amount": 1000, "name": "box"}
    with fake_portone.answering([]) as client, pytest.raises(PortOneError):
        client.schedule("cust_1", [entry])
