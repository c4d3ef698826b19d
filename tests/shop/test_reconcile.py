"""``flask --app shop reconcile``: orders PortOne knows more about than the shop are brought in
line, through the same syncs as the doors (two runs at once: ``test_reconcile_at_once.py``)."""

from datetime import timedelta

from sqlalchemy import select

from shop.extensions import db
from shop.models import Order, OrderStatus, utcnow
from shop.portone import PortOneUnavailable


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
    placed = buyer.place(quantity)
    query = buyer.pay(placed.merchant_uid, placed.amount)
    assert buyer.callback(query["imp_uid"]).json["status"] == OrderStatus.PAID
    return placed, query["imp_uid"]


def run(runner, *args: str):
    return runner.invoke(args=["reconcile", *args])


def test_a_pending_order_paid_while_no_door_came_is_paid_once(shop, runner):
    placed = shop.place(2)
    # Paid in the window, but the browser was closed and the webhook lost.
    shop.pay(placed.merchant_uid, placed.amount)
    unpaid = another_browser(shop).place(1)

    result = run(runner)

    assert result.exit_code == 0, result.output
    assert result.output.startswith("Reconciled with PortOne (2 pending, 0 paid, 0 refunds")
    assert result.output.rstrip().endswith(": no_payment 1, paid 1.")
    assert shop.order(placed.merchant_uid).status == OrderStatus.PAID
    assert shop.order(unpaid.merchant_uid).status == OrderStatus.PENDING
    assert shop.product(placed.slug).stock == placed.stock - 2

    again = run(runner)
    assert again.output.rstrip().endswith(": already_paid 1, no_payment 1.")
    assert shop.product(placed.slug).stock == placed.stock - 2


def test_a_pending_order_past_its_time_and_never_paid_expires(shop, runner):
    placed = shop.place()
    set_order(shop.app, placed.merchant_uid, payable_until=utcnow() - timedelta(minutes=1))

    result = run(runner)

    assert result.exit_code == 0, result.output
    assert result.output.rstrip().endswith(": expired 1.")
    assert shop.order(placed.merchant_uid).status == OrderStatus.EXPIRED


def test_refunds_made_at_portone_after_payment_are_found(shop, runner):
    cancelled, cancelled_uid = paid_order(shop, 2)
    partly, partly_uid = paid_order(shop, 1)
    shop.console_cancel(cancelled_uid)
    shop.refund_at_portone(partly_uid, 1_000)

    result = run(runner)

    assert result.exit_code == 0, result.output
    assert "(0 pending, 2 paid, 0 refunds to retry;" in result.output
    assert result.output.rstrip().endswith(": cancelled 1, refunded_in_part 1.")
    order = shop.order(cancelled.merchant_uid)
    assert (order.status, order.refunded_amount) == (OrderStatus.CANCELLED, cancelled.amount)
    assert shop.product(cancelled.slug).stock == cancelled.stock - 1
    order = shop.order(partly.merchant_uid)
    assert (order.status, order.refunded_amount) == (OrderStatus.PAID, 1_000)


def test_orders_paid_before_the_window_are_not_asked_about(shop, runner):
    placed, imp_uid = paid_order(shop)
    set_order(shop.app, placed.merchant_uid, paid_at=utcnow() - timedelta(days=8))
    shop.console_cancel(imp_uid)

    assert "(0 pending, 0 paid," in run(runner, "--days", "7").output
    assert shop.order(placed.merchant_uid).status == OrderStatus.PAID
    assert "(0 pending, 1 paid," in run(runner, "--days", "9").output
    assert shop.order(placed.merchant_uid).status == OrderStatus.CANCELLED


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
    shop.console_cancel(imp_uid)
    assert shop.webhook({"imp_uid": imp_uid, "status": "cancelled"}).json == {
        "outcome": "cancelled"
    }
    # Paid again from an old tab: the cancelled order cannot take it, and its refund cannot
    # go through for now.
    again = shop.pay(placed.merchant_uid, placed.amount)["imp_uid"]
    working = shop.app.extensions["portone"]
    shop.app.extensions["portone"] = Failing(working, "cancel_payment")
    try:
        assert shop.webhook({"imp_uid": again}).json == {"outcome": "closed_refund_failed"}
    finally:
        shop.app.extensions["portone"] = working

    result = run(runner)

    assert result.exit_code == 0, result.output
    assert "(0 pending, 0 paid, 1 refunds to retry;" in result.output
    assert result.output.rstrip().endswith(": closed_refunded 1.")
    assert shop.sandbox_payment(again)["status"] == "cancelled"
    assert "0 refunds to retry" in run(runner).output


def test_it_exits_with_an_error_when_portone_cannot_be_reached(shop, runner):
    placed = shop.place()
    shop.pay(placed.merchant_uid, placed.amount)
    working = shop.app.extensions["portone"]
    shop.app.extensions["portone"] = Failing(working, "find_payment", "get_payment")
    try:
        result = run(runner)
    finally:
        shop.app.extensions["portone"] = working

    assert result.exit_code == 1
    assert result.stdout.rstrip().endswith(": unavailable 1.")
    assert "1 could not be settled now" in result.stderr
    assert shop.order(placed.merchant_uid).status == OrderStatus.PENDING
