"""A refund racing PortOne's ``cancelled`` webhook stays consistent: whether the webhook's sync
comes before, after or at the same moment as the admin's own read-back, the refunded amount
is counted once and a full refund's stock comes back once. Two admins refunding at once
refund once. On SQLite and on PostgreSQL."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from shop.models import OrderStatus, RefundOutcome
from tests.shop.account_actions import sign_up
from tests.shop.admin.actions import fetch_order, outcomes, refund, refunds, shown_balance
from tests.shop.databases import shop_on


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def app(request, app_factory):
    """The shop on each database: every fixture built on ``app`` (``shop``, ``admin``) too."""
    return shop_on(request.param, app_factory)


class WebhookRaces:
    """PortOne whose ``cancelled`` webhook reaches the shop while a refund is under way.

    ``before``: the webhook is handled after PortOne refunds and before the admin's request
    reads the payment back. ``during``: it is sent then, on another thread, and both reads of
    the payment wait for each other, so the two syncs update the order at the same moment.
    """

    def __init__(self, app, timing: str):
        self.client = app.extensions["portone"]
        self.app = app
        self.timing = timing
        self.reads = None
        self.sent = None

    def __getattr__(self, name):
        return getattr(self.client, name)

    def cancel_payment(self, imp_uid: str, **kwargs):
        answer = self.client.cancel_payment(imp_uid, **kwargs)
        if self.timing == "before":
            self.send_webhook(imp_uid)
        else:
            self.reads = threading.Barrier(2, timeout=10)
            self.sent = ThreadPoolExecutor(1).submit(self.send_webhook, imp_uid)
        return answer

    def get_payment(self, imp_uid: str):
        payment = self.client.get_payment(imp_uid)
        if self.reads is not None:
            # Both syncs hold PortOne's record of the refund before either changes the order.
            self.reads.wait()
        return payment

    def send_webhook(self, imp_uid: str):
        response = self.app.test_client().post(
            "/portone/webhook", json={"imp_uid": imp_uid, "status": "cancelled"}
        )
        assert response.status_code == 200, response.get_data(as_text=True)
        return response.json["outcome"]


@pytest.mark.parametrize("timing", ["before", "during", "after"])
@pytest.mark.parametrize("part", ["partial", "full"])
def test_a_refund_and_its_webhook_count_once(shop, admin, paid, timing, part):
    amount = 1_000 if part == "partial" else paid.placed.amount
    balance = shown_balance(admin, paid.id)
    races = WebhookRaces(shop.app, timing)
    if timing != "after":
        shop.app.extensions["portone"] = races
    try:
        response = refund(admin, paid.id, amount, balance=balance)
    finally:
        shop.app.extensions["portone"] = races.client
    assert response.status_code == 303, response.get_data(as_text=True)
    if timing == "after":
        races.send_webhook(paid.imp_uid)
    elif races.sent is not None:
        races.sent.result(timeout=10)

    payment = shop.sandbox_payment(paid.imp_uid)
    assert (payment["cancel_amount"], len(payment["cancel_history"])) == (amount, 1)
    order = fetch_order(shop.app, paid.id)
    assert order.refunded_amount == amount
    [made] = refunds(shop.app)
    assert (made.amount, made.outcome) == (amount, RefundOutcome.REFUNDED)
    syncs = outcomes(shop.app, paid.imp_uid, "admin", "webhook")
    if part == "partial":
        assert order.status == OrderStatus.PAID
        assert shop.product(paid.placed.slug).stock == paid.placed.stock - 2
        assert sorted(syncs) == ["already_paid", "refunded_in_part"]
    else:
        assert order.status == OrderStatus.CANCELLED
        assert shop.product(paid.placed.slug).stock == paid.placed.stock
        assert sorted(syncs) == ["cancelled", "no_change"]


class CancelsAtOnce:
    """PortOne receiving two admins' cancels at the same moment: both were sent before either
    was answered (both passed the shop's own checks), and PortOne takes them one after the
    other."""

    def __init__(self, client):
        self.client = client
        self.together = threading.Barrier(2, timeout=10)
        self.one_by_one = threading.Lock()

    def __getattr__(self, name):
        return getattr(self.client, name)

    def cancel_payment(self, imp_uid: str, **kwargs):
        self.together.wait()
        with self.one_by_one:
            return self.client.cancel_payment(imp_uid, **kwargs)


def test_two_admins_refunding_at_once_refund_once(shop, admin, open_browser, runner, paid):
    second = open_browser()
    assert sign_up(second, "second-admin@example.com").status_code == 303
    assert runner.invoke(args=["create-admin", "second-admin@example.com"]).exit_code == 0
    balance = shown_balance(admin, paid.id)
    forms = [
        (staff, {"csrf_token": staff.csrf_token(), "amount": "1000", "reason": "중복 클릭"})
        for staff in (admin, second)
    ]
    working = shop.app.extensions["portone"]
    shop.app.extensions["portone"] = CancelsAtOnce(working)
    try:
        with ThreadPoolExecutor(2) as pool:
            sent = [
                pool.submit(
                    staff.client.post,
                    f"/admin/orders/{paid.id}/refund",
                    data={**form, "balance": balance},
                )
                for staff, form in forms
            ]
            statuses = sorted(response.result(timeout=30).status_code for response in sent)
    finally:
        shop.app.extensions["portone"] = working

    assert statuses == [303, 409]
    payment = shop.sandbox_payment(paid.imp_uid)
    assert (payment["cancel_amount"], len(payment["cancel_history"])) == (1_000, 1)
    assert fetch_order(shop.app, paid.id).refunded_amount == 1_000
    assert sorted(made.outcome for made in refunds(shop.app)) == [
        RefundOutcome.REFUNDED,
        RefundOutcome.REFUSED,
    ]
