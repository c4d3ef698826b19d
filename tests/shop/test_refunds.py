"""A paid payment its order cannot take is refunded, and refunds made at PortOne count."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from shop.extensions import db
from shop.models import Order, OrderStatus, utcnow
from shop.portone import PortOneUnavailable
from tests.shop.actions import SANDBOX, Placed, ShopActions

QUANTITY = 2


@pytest.fixture
def placed(shop) -> Placed:
    return shop.place(QUANTITY)


def cancelled(imp_uid: str) -> dict:
    """The webhook PortOne sends for a cancel or a refund of ``imp_uid``."""
    return {"imp_uid": imp_uid, "status": "cancelled"}


def outcomes(shop: ShopActions, imp_uid: str) -> list[str]:
    return [e.outcome for e in shop.events() if e.imp_uid == imp_uid]


def assert_refunded(shop: ShopActions, imp_uid: str, amount: int) -> None:
    payment = shop.sandbox_payment(imp_uid)
    assert (payment["status"], payment["cancel_amount"]) == ("cancelled", amount)


def change_prepared(shop, merchant_uid: str, amount: int) -> None:
    with shop.app.test_request_context():
        token = shop.app.extensions["portone"].access_token()
    response = shop.client.put(
        f"{SANDBOX}/payments/prepare",
        json={"merchant_uid": merchant_uid, "amount": amount},
        headers={"Authorization": token},
    )
    assert response.status_code == 200


def run_out_of_time(shop: ShopActions, placed: Placed) -> None:
    """Stand in for the ``ORDER_PAYABLE_MINUTES`` that passed since the order was placed."""
    with shop.app.app_context():
        order = db.session.scalar(select(Order).where(Order.merchant_uid == placed.merchant_uid))
        order.payable_until = utcnow() - timedelta(minutes=1)
        db.session.commit()


# A paid payment for an order that cannot take it ----------------------------------------


def test_paying_a_cancelled_order_again_from_an_old_tab_is_refunded(shop, placed):
    first = shop.pay(placed.merchant_uid, placed.amount)
    shop.callback(first["imp_uid"])
    shop.console_cancel(first["imp_uid"])
    assert shop.webhook(cancelled(first["imp_uid"])).json == {"outcome": "cancelled"}

    again = shop.pay(placed.merchant_uid, placed.amount)
    assert shop.callback(again["imp_uid"]).json["status"] == OrderStatus.CANCELLED

    assert_refunded(shop, again["imp_uid"], placed.amount)
    assert outcomes(shop, again["imp_uid"]) == ["closed", "closed_refunded"]
    assert shop.order(placed.merchant_uid).status == OrderStatus.CANCELLED
    assert shop.product(placed.slug).stock == placed.stock


def test_a_correct_payment_for_an_order_flagged_as_forgery_is_refunded(shop, placed):
    change_prepared(shop, placed.merchant_uid, 100)
    forged = shop.pay(placed.merchant_uid, 100)
    assert shop.callback(forged["imp_uid"]).json["status"] == OrderStatus.FORGERY

    change_prepared(shop, placed.merchant_uid, placed.amount)
    correct = shop.pay(placed.merchant_uid, placed.amount)
    assert shop.callback(correct["imp_uid"]).json["status"] == OrderStatus.FORGERY

    assert_refunded(shop, correct["imp_uid"], placed.amount)
    assert outcomes(shop, correct["imp_uid"]) == ["closed", "closed_refunded"]
    assert shop.product(placed.slug).stock == placed.stock


def test_paying_an_expired_order_after_its_new_order_was_paid_is_refunded(shop, placed):
    run_out_of_time(shop, placed)
    assert shop.post(f"/orders/{placed.token}/retry", {}).status_code == 303
    with shop.app.app_context():
        retry = db.session.scalars(select(Order).order_by(Order.id.desc())).first()
        retry_uid, retry_amount = retry.merchant_uid, retry.amount
    paid = shop.pay(retry_uid, retry_amount)
    assert shop.callback(paid["imp_uid"]).json["status"] == OrderStatus.PAID

    old_tab = shop.pay(placed.merchant_uid, placed.amount)
    response = shop.callback(old_tab["imp_uid"])

    assert_refunded(shop, old_tab["imp_uid"], placed.amount)
    assert shop.product(placed.slug).stock == placed.stock - QUANTITY
    assert response.json["status"] == OrderStatus.REPLACED
    assert outcomes(shop, old_tab["imp_uid"]) == ["closed", "closed_refunded"]
    page = shop.client.get(f"/orders/{placed.token}").get_data(as_text=True)
    assert "You tried this order again as order" in page
    assert f'href="/orders/{retry.token}"' in page


@pytest.mark.parametrize(
    "status",
    [
        OrderStatus.CANCELLED,
        OrderStatus.FORGERY,
        OrderStatus.SOLD_OUT,
        OrderStatus.EXPIRED,
        OrderStatus.REPLACED,
    ],
)
def test_a_correct_payment_for_an_order_closed_to_payments_is_refunded(shop, placed, status):
    with shop.app.app_context():
        order = db.session.scalar(select(Order).where(Order.merchant_uid == placed.merchant_uid))
        order.status = status
        db.session.commit()
    query = shop.pay(placed.merchant_uid, placed.amount)

    assert shop.callback(query["imp_uid"]).json["status"] == status
    assert_refunded(shop, query["imp_uid"], placed.amount)
    assert outcomes(shop, query["imp_uid"]) == ["closed", "closed_refunded"]
    assert shop.product(placed.slug).stock == placed.stock


class RefundsFail:
    """PortOne that answers, but cannot refund right now."""

    def __init__(self, client):
        self.client = client

    def __getattr__(self, name):
        return getattr(self.client, name)

    def cancel_payment(self, imp_uid: str, **kwargs):
        raise PortOneUnavailable("PortOne unreachable: ReadTimeout")


def test_a_refund_that_failed_is_tried_again_when_portone_resends_the_webhook(shop, placed):
    first = shop.pay(placed.merchant_uid, placed.amount)
    shop.callback(first["imp_uid"])
    shop.console_cancel(first["imp_uid"])
    shop.webhook(cancelled(first["imp_uid"]))
    again = shop.pay(placed.merchant_uid, placed.amount)

    working = shop.app.extensions["portone"]
    shop.app.extensions["portone"] = RefundsFail(working)
    try:
        failed = shop.webhook({"imp_uid": again["imp_uid"]})
    finally:
        shop.app.extensions["portone"] = working
    assert (failed.status_code, failed.json) == (503, {"outcome": "closed_refund_failed"})
    assert shop.sandbox_payment(again["imp_uid"])["status"] == "paid"

    assert shop.webhook({"imp_uid": again["imp_uid"]}).json == {"outcome": "closed_refunded"}
    assert_refunded(shop, again["imp_uid"], placed.amount)


def test_a_failed_order_is_tried_again_as_itself(shop, placed):
    declined = shop.pay(placed.merchant_uid, placed.amount, decision="decline")
    shop.redirect_door(declined)
    for _ in range(2):
        again = shop.post(f"/orders/{placed.token}/retry", {})
        assert again.headers["Location"].endswith(f"/orders/{placed.token}/pay")
    with shop.app.app_context():
        assert db.session.scalar(select(db.func.count(Order.id))) == 1


def test_a_failed_order_whose_time_ran_out_is_placed_again_once(shop, placed):
    declined = shop.pay(placed.merchant_uid, placed.amount, decision="decline")
    shop.redirect_door(declined)
    run_out_of_time(shop, placed)
    page = shop.client.get(f"/orders/{placed.token}").get_data(as_text=True)
    assert "Order again at today's prices" in page
    assert shop.client.get(f"/orders/{placed.token}/pay").status_code == 302

    first = shop.post(f"/orders/{placed.token}/retry", {})
    second = shop.post(f"/orders/{placed.token}/retry", {})
    assert first.headers["Location"].endswith("/pay")
    assert placed.token not in first.headers["Location"]
    assert second.headers["Location"].endswith(f"/orders/{placed.token}")
    with shop.app.app_context():
        assert db.session.scalar(select(db.func.count(Order.id))) == 2


# Refunds made at PortOne ---------------------------------------------------------------


def test_a_payment_refunded_in_part_before_it_is_confirmed_is_refunded_in_full(shop, placed):
    query = shop.pay(placed.merchant_uid, placed.amount)
    shop.refund_at_portone(query["imp_uid"], placed.amount - 1)

    assert shop.callback(query["imp_uid"]).json["status"] == OrderStatus.FORGERY
    assert_refunded(shop, query["imp_uid"], placed.amount)
    assert outcomes(shop, query["imp_uid"]) == ["forgery", "forgery_refunded"]
    assert shop.product(placed.slug).stock == placed.stock


def test_a_partial_refund_after_payment_is_recorded_and_shown(shop, placed):
    query = shop.pay(placed.merchant_uid, placed.amount)
    shop.callback(query["imp_uid"])
    shop.refund_at_portone(query["imp_uid"], 1_000)

    assert shop.webhook(cancelled(query["imp_uid"])).json == {"outcome": "refunded_in_part"}
    assert shop.webhook(cancelled(query["imp_uid"])).json == {"outcome": "already_paid"}
    order = shop.order(placed.merchant_uid)
    assert (order.status, order.refunded_amount) == (OrderStatus.PAID, 1_000)
    assert shop.product(placed.slug).stock == placed.stock - QUANTITY
    page = shop.client.get(f"/orders/{placed.token}").get_data(as_text=True)
    assert "Refunded" in page
    assert "1,000원" in page
    assert f"{placed.amount - 1_000:,}원" in page

    shop.console_cancel(query["imp_uid"])
    assert shop.webhook(cancelled(query["imp_uid"])).json == {"outcome": "cancelled"}
    order = shop.order(placed.merchant_uid)
    assert (order.status, order.refunded_amount) == (OrderStatus.CANCELLED, placed.amount)
    assert shop.product(placed.slug).stock == placed.stock
