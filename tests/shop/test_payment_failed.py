"""``shop.signals.payment_failed``: sent with the order and PortOne's failed payment, after the
commit, by every sync that finds the payment failed."""

from sqlalchemy import text

from shop.extensions import db
from shop.signals import payment_failed


def test_sent_by_each_sync_of_a_failed_payment_after_its_commit(shop):
    placed = shop.place(1)
    query = shop.pay(placed.merchant_uid, placed.amount, decision="decline")
    seen = []

    def on_payment_failed(order, payment):
        with db.engine.connect() as connection:
            stored = connection.scalar(
                text("SELECT status FROM orders WHERE id = :id"), {"id": order.id}
            )
        seen.append((order.merchant_uid, payment["imp_uid"], payment["status"], stored))

    with payment_failed.connected_to(on_payment_failed):
        shop.redirect_door(query)
        shop.webhook({"imp_uid": query["imp_uid"]})

    expected = (placed.merchant_uid, query["imp_uid"], "failed", "failed")
    assert seen == [expected, expected]


def test_not_sent_for_a_paid_payment(shop):
    placed = shop.place(1)
    query = shop.pay(placed.merchant_uid, placed.amount)
    seen = []
    with payment_failed.connected_to(lambda order, payment: seen.append(order)):
        shop.callback(query["imp_uid"])
        shop.webhook({"imp_uid": query["imp_uid"]})
    assert seen == []
