"""Two ``flask --app shop reconcile`` runs at once (cron overlapping itself) change each order
once: the conditional UPDATEs in ``sync_payment`` let only one of them. SQLite and PostgreSQL."""

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from shop.extensions import db
from shop.models import OrderStatus, PaymentEvent, utcnow
from shop.reconcile import reconcile
from tests.shop.databases import shop_on


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def app(request, app_factory):
    return shop_on(request.param, app_factory)


class InStep:
    """PortOne whose every answer waits until the other run has its answer too, so two runs
    act on the same record at the same moment."""

    def __init__(self, client):
        self.client = client
        self.step = threading.Barrier(2, timeout=10)

    def __getattr__(self, name):
        return getattr(self.client, name)

    def find_payment(self, *args, **kwargs):
        payment = self.client.find_payment(*args, **kwargs)
        self.step.wait()
        return payment

    def get_payment(self, *args, **kwargs):
        payment = self.client.get_payment(*args, **kwargs)
        self.step.wait()
        return payment


def order_paid_at_portone(shop, quantity: int, tell_the_shop: bool):
    """An order of ``quantity`` units paid in the window, from a browser of its own; its PC
    callback is sent only if ``tell_the_shop``."""
    buyer = type(shop)(shop.app, shop.app.test_client())
    placed = buyer.place(quantity)
    imp_uid = buyer.pay(placed.merchant_uid, placed.amount)["imp_uid"]
    if tell_the_shop:
        assert buyer.callback(imp_uid).json["status"] == OrderStatus.PAID
    return placed, imp_uid


def test_two_runs_at_once_change_each_order_once(shop):
    pending = [order_paid_at_portone(shop, 1, tell_the_shop=False)[0] for _ in range(3)]
    cancelled, cancelled_uid = order_paid_at_portone(shop, 2, tell_the_shop=True)
    shop.console_cancel(cancelled_uid)
    partly, partly_uid = order_paid_at_portone(shop, 1, tell_the_shop=True)
    shop.refund_at_portone(partly_uid, 1_000)
    stock = {p.slug: shop.product(p.slug).stock for p in [*pending, cancelled]}

    working = shop.app.extensions["portone"]
    shop.app.extensions["portone"] = InStep(working)

    def one_run():
        with shop.app.app_context():
            return reconcile(utcnow() - timedelta(days=7))

    try:
        with ThreadPoolExecutor(2) as pool:
            runs = [pool.submit(one_run) for _ in range(2)]
            results = [run.result(timeout=60) for run in runs]
    finally:
        shop.app.extensions["portone"] = working

    assert all(len(result["pending"]) == 3 for result in results)
    with shop.app.app_context():
        changed = dict(
            db.session.execute(
                select(PaymentEvent.outcome, func.count())
                .where(PaymentEvent.source == "reconcile")
                .group_by(PaymentEvent.outcome)
            ).all()
        )
    # One run changed each order; the other found it done.
    assert changed == {
        "paid": 3,
        "cancelled": 1,
        "refunded_in_part": 1,
        "already_paid": 3 + 1,
        "no_change": 1,
    }
    for placed in pending:
        assert shop.order(placed.merchant_uid).status == OrderStatus.PAID
    assert shop.order(cancelled.merchant_uid).status == OrderStatus.CANCELLED
    assert shop.order(partly.merchant_uid).refunded_amount == 1_000
    taken = {slug: 0 for slug in stock}
    for placed in pending:
        taken[placed.slug] += 1
    for slug, before in stock.items():
        # Each pending order took its unit once; the cancelled order's two came back once.
        back = 2 if slug == cancelled.slug else 0
        assert shop.product(slug).stock == before - taken[slug] + back, slug
