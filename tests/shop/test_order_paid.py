"""``shop.signals.order_paid``: sent once per paid order, after the commit that paid it."""

import logging

import pytest
from sqlalchemy import text

from shop.extensions import db
from shop.models import OrderStatus
from shop.signals import order_paid
from tests.shop.actions import Placed


@pytest.fixture
def placed(shop) -> Placed:
    return shop.place(2)


@pytest.fixture
def received():
    """The merchant_uid of each order the signal was sent with, in order."""
    orders: list[str] = []

    def on_order_paid(order):
        orders.append(order.merchant_uid)

    with order_paid.connected_to(on_order_paid):
        yield orders


def test_sent_once_whatever_doors_arrive_and_how_often(shop, placed, received):
    query = shop.pay(placed.merchant_uid, placed.amount)
    body = {"imp_uid": query["imp_uid"]}
    for _ in range(3):
        assert shop.redirect_door(query).status_code == 303
        assert shop.callback(query["imp_uid"]).json["status"] == OrderStatus.PAID
        assert shop.webhook(body).status_code == 200

    assert received == [placed.merchant_uid]


def test_receivers_see_the_paid_order_committed(shop, placed):
    seen = []

    def on_order_paid(order):
        # Through a connection of its own: only what has been committed is visible there.
        with db.engine.connect() as connection:
            row = connection.execute(
                text("SELECT status FROM orders WHERE id = :id"), {"id": order.id}
            ).one()
            stock = connection.scalar(
                text("SELECT stock FROM products WHERE slug = :slug"), {"slug": placed.slug}
            )
        seen.append((order.status, row.status, stock))

    query = shop.pay(placed.merchant_uid, placed.amount)
    with order_paid.connected_to(on_order_paid):
        shop.callback(query["imp_uid"])

    assert seen == [(OrderStatus.PAID, "paid", placed.stock - 2)]


def test_not_sent_when_the_payment_is_refunded_for_want_of_stock(shop, placed, received):
    query = shop.pay(placed.merchant_uid, placed.amount)
    shop.update_product(placed.slug, stock=1)

    assert shop.callback(query["imp_uid"]).json["status"] == OrderStatus.SOLD_OUT
    assert shop.webhook({"imp_uid": query["imp_uid"]}).status_code == 200
    assert received == []


def test_not_sent_for_a_declined_payment(shop, placed, received):
    query = shop.pay(placed.merchant_uid, placed.amount, decision="decline")
    shop.redirect_door(query)
    assert shop.order(placed.merchant_uid).status == OrderStatus.FAILED
    assert received == []


def test_a_receiver_that_raises_is_logged_and_the_others_still_run(shop, placed, received, caplog):
    def broken(order):
        raise RuntimeError("mail server down")

    query = shop.pay(placed.merchant_uid, placed.amount)
    with order_paid.connected_to(broken):
        answer = shop.callback(query["imp_uid"])

    assert answer.json == {"status": "paid", "redirect": f"/orders/{placed.token}"}
    assert received == [placed.merchant_uid]
    [record] = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert record.name == "shop.payments"
    assert placed.merchant_uid in record.getMessage()
    assert "mail server down" in record.exc_text
