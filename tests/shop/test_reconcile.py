"""``flask --app shop reconcile``: orders PortOne knows more about than the shop are brought in
line, through the same syncs as the doors (two runs at once: ``test_reconcile_at_once.py``)."""

from datetime import timedelta

from sqlalchemy import select

from shop.extensions import db
from shop.models import Order, OrderStatus, utcnow
from shop.portone import PortOneUnavailable
from tests.shop.payflow import (
    callback,
    console_cancel,
    order_by_uid,
    pay,
    place,
    refund_at_portone,
    sandbox_payment,
    webhook,
)


def set_order(app, merchant_uid: str, **fields) -> None:
    with app.app_context():
        order = db.session.scalar(select(Order).where(Order.merchant_uid == merchant_uid))
        for name, value in fields.items():
            setattr(order, name, value)
        db.session.commit()


def another_browser(shop):
    return type(shop)(shop.app, shop.app.test_client())


def paid_order(shop, quantity: int = 1):
    """An order of ``quantity`` units, placed and paid in a browser of its own."""
    buyer = another_browser(shop)
    placed = place(buyer, quantity)
    query = pay(buyer.client, placed.merchant_uid, placed.amount)
    assert callback(buyer, query["imp_uid"]).json["status"] == OrderStatus.PAID
    return placed, query["imp_uid"]


def run(runner, *args: str):
    return runner.invoke(args=["reconcile", *args])


def test_a_pending_order_paid_while_no_door_came_is_paid_once(shop, runner):
    placed = place(shop, 2)
    # Paid in the window, but the browser was closed and the webhook lost.
    pay(shop.client, placed.merchant_uid, placed.amount)
    unpaid = place(another_browser(shop), 1)

    result = run(runner)

    assert result.exit_code == 0, result.output
    assert result.output.startswith("Reconciled with PortOne (2 pending, 0 paid, 0 refunds")
    assert result.output.rstrip().endswith(": no_payment 1, paid 1.")
    assert order_by_uid(shop.app, placed.merchant_uid).status == OrderStatus.PAID
    assert order_by_uid(shop.app, unpaid.merchant_uid).status == OrderStatus.PENDING
    assert shop.product(placed.slug).stock == placed.stock - 2

    again = run(runner)
    assert again.output.rstrip().endswith(": already_paid 1, no_payment 1.")
    assert shop.product(placed.slug).stock == placed.stock - 2


def test_a_pending_order_past_its_time_and_never_paid_expires(shop, runner):
    placed = place(shop)
    set_order(shop.app, placed.merchant_uid, payable_until=utcnow() - timedelta(minutes=1))

    result = run(runner)

    assert result.exit_code == 0, result.output
    assert result.output.rstrip().endswith(": expired 1.")
    assert order_by_uid(shop.app, placed.merchant_uid).status == OrderStatus.EXPIRED


def test_refunds_made_at_portone_after_payment_are_found(shop, runner):
    cancelled, cancelled_uid = paid_order(shop, 2)
    partly, partly_uid = paid_order(shop, 1)
    console_cancel(shop, cancelled_uid)
    refund_at_portone(shop.app, partly_uid, 1_000)

    result = run(runner)

    assert result.exit_code == 0, result.output
    assert "(0 pending, 2 paid, 0 refunds to retry;" in result.output
    assert result.output.rstrip().endswith(": cancelled 1, refunded_in_part 1.")
    order = order_by_uid(shop.app, cancelled.merchant_uid)
    assert (order.status, order.refunded_amount) == (OrderStatus.CANCELLED, cancelled.amount)
    assert shop.product(cancelled.slug).stock == cancelled.stock - 1
    order = order_by_uid(shop.app, partly.merchant_uid)
    assert (order.status, order.refunded_amount) == (OrderStatus.PAID, 1_000)


def test_orders_paid_before_the_window_are_not_asked_about(shop, runner):
    placed, imp_uid = paid_order(shop)
    set_order(shop.app, placed.merchant_uid, paid_at=utcnow() - timedelta(days=8))
    console_cancel(shop, imp_uid)

    assert "(0 pending, 0 paid," in run(runner, "--days", "7").output
    assert order_by_uid(shop.app, placed.merchant_uid).status == OrderStatus.PAID
    assert "(0 pending, 1 paid," in run(runner, "--days", "9").output
    assert order_by_uid(shop.app, placed.merchant_uid).status == OrderStatus.CANCELLED


class Failing:
    """PortOne that answers, except for the calls named, which cannot reach it."""

    def __init__(self, client, *names: str):
        self.client = client
        self.names = names

    def __getattr__(self, name):
        if name in self.names:
            raise PortOneUnavailable("PortOne unreachable: ConnectTimeout")
        return getattr(self.client, name)


def test_a_refund_that_failed_is_tried_again(shop, runner):
    placed, imp_uid = paid_order(shop)
    console_cancel(shop, imp_uid)
    assert webhook(shop, {"imp_uid": imp_uid}).json == {"outcome": "cancelled"}
    # Paid again from an old tab: the cancelled order cannot take it, and its refund cannot
    # go through for now.
    again = pay(shop.client, placed.merchant_uid, placed.amount)["imp_uid"]
    working = shop.app.extensions["portone"]
    shop.app.extensions["portone"] = Failing(working, "cancel_payment")
    try:
        assert webhook(shop, {"imp_uid": again}).json == {"outcome": "closed_refund_failed"}
    finally:
        shop.app.extensions["portone"] = working

    result = run(runner)

    assert result.exit_code == 0, result.output
    assert "(0 pending, 0 paid, 1 refunds to retry;" in result.output
    assert result.output.rstrip().endswith(": closed_refunded 1.")
    assert sandbox_payment(shop.app, again)["status"] == "cancelled"
    assert "0 refunds to retry" in run(runner).output


def test_it_exits_with_an_error_when_portone_cannot_be_reached(shop, runner):
    placed = place(shop)
    pay(shop.client, placed.merchant_uid, placed.amount)
    working = shop.app.extensions["portone"]
    shop.app.extensions["portone"] = Failing(working, "find_payment", "get_payment")
    try:
        result = run(runner)
    finally:
        shop.app.extensions["portone"] = working

    assert result.exit_code == 1
    assert result.stdout.rstrip().endswith(": unavailable 1.")
    assert "1 could not be settled now" in result.stderr
    assert order_by_uid(shop.app, placed.merchant_uid).status == OrderStatus.PENDING
