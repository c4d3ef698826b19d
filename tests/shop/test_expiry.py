"""A pending order is payable for ``ORDER_PAYABLE_MINUTES``; after that its prices are gone."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from shop.extensions import db
from shop.models import Order, OrderStatus, utcnow
from tests.shop.actions import Placed, ShopActions, with_shipping

QUANTITY = 2


@pytest.fixture
def placed(shop) -> Placed:
    return shop.place(QUANTITY)


def set_payable_until(app, merchant_uid: str, moment: datetime) -> None:
    """Stand in for the time that passed since the order was placed."""
    with app.app_context():
        order = db.session.scalar(select(Order).where(Order.merchant_uid == merchant_uid))
        order.payable_until = moment
        db.session.commit()


def utc(seconds: int) -> datetime:
    return datetime.fromtimestamp(seconds, UTC).replace(tzinfo=None)


def test_an_expired_order_offers_to_order_again_at_todays_prices(shop, placed):
    set_payable_until(shop.app, placed.merchant_uid, utcnow() - timedelta(hours=1))
    price = shop.product(placed.slug).price + 1_000
    shop.update_product(placed.slug, price=price)

    response = shop.client.get(f"/orders/{placed.token}/pay")
    assert response.headers["Location"].endswith(f"/orders/{placed.token}")
    page = shop.client.get(f"/orders/{placed.token}").get_data(as_text=True)
    assert "This order has expired" in page
    assert "Order again at today's prices" in page
    assert shop.order(placed.merchant_uid).status == OrderStatus.EXPIRED

    again = shop.post(f"/orders/{placed.token}/retry", {})
    with shop.app.app_context():
        new = db.session.scalars(select(Order).order_by(Order.id.desc())).first()
        assert again.headers["Location"].endswith(f"/orders/{new.token}/pay")
        assert (new.status, new.amount) == (
            OrderStatus.PENDING,
            with_shipping(shop.app, price * QUANTITY),
        )
    assert shop.order(placed.merchant_uid).status == OrderStatus.REPLACED


def test_a_payment_after_the_order_expired_is_refunded(shop, placed):
    shop.advance_sandbox_clock(31 * 60)
    query = shop.pay(placed.merchant_uid, placed.amount)
    response = shop.callback(query["imp_uid"])

    payment = shop.sandbox_payment(query["imp_uid"])
    assert (payment["status"], payment["cancel_amount"]) == ("cancelled", placed.amount)
    assert response.json["status"] == OrderStatus.EXPIRED
    assert [e.outcome for e in shop.events()] == ["expired", "expired_refunded"]
    assert shop.product(placed.slug).stock == placed.stock
    page = shop.client.get(f"/orders/{placed.token}").get_data(as_text=True)
    assert "This order has expired" in page


def test_the_lifetime_is_a_setting(app_factory):
    app = app_factory(ORDER_PAYABLE_MINUTES=5)
    shop = ShopActions(app, app.test_client())
    placed = shop.place(QUANTITY)
    shop.advance_sandbox_clock(6 * 60)
    query = shop.pay(placed.merchant_uid, placed.amount)
    shop.callback(query["imp_uid"])
    assert shop.sandbox_payment(query["imp_uid"])["status"] == "cancelled"
    assert shop.order(placed.merchant_uid).status == OrderStatus.EXPIRED


def test_a_payment_made_in_time_counts_however_late_it_is_confirmed(shop, placed):
    query = shop.pay(placed.merchant_uid, placed.amount)
    # No door came before the order's time ran out; the payment was made just in time.
    paid_at = shop.sandbox_payment(query["imp_uid"])["paid_at"]
    set_payable_until(shop.app, placed.merchant_uid, utc(paid_at))

    status = shop.client.get(f"/orders/{placed.token}/status")
    assert status.json == {"status": "paid", "confirming": False, "url": f"/orders/{placed.token}"}
    assert shop.product(placed.slug).stock == placed.stock - QUANTITY
