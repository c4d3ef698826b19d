"""Order statuses and sync outcomes are enums, which code and pages compare by name."""

import pytest

from shop.extensions import db
from shop.models import Order, OrderStatus
from shop.payments import UNSETTLED, SyncOutcome

# What the order page says first, for an order in each status (a pending one, when PortOne
# has no payment of it; while PortOne cannot be asked, "Confirming your payment…").
HEADINGS = {
    OrderStatus.PENDING: "This order is not paid yet",
    OrderStatus.PAID: "Thank you! Your order is paid.",
    OrderStatus.FAILED: "Payment failed",
    OrderStatus.CANCELLED: "Order cancelled",
    OrderStatus.FORGERY: "We could not verify this payment",
    OrderStatus.SOLD_OUT: "Sold out",
    OrderStatus.EXPIRED: "This order has expired",
    OrderStatus.REPLACED: "Order replaced",
}


def _set_status(app, token: str, status: OrderStatus, **values) -> None:
    with app.app_context():
        order = db.session.scalar(db.select(Order).filter_by(token=token))
        order.status = status
        for name, value in values.items():
            setattr(order, name, value)
        db.session.commit()


def test_every_status_has_its_own_order_page():
    assert set(HEADINGS) == set(OrderStatus)
    assert len(set(HEADINGS.values())) == len(HEADINGS)


@pytest.mark.parametrize("status", list(OrderStatus))
def test_the_order_page_is_chosen_by_the_orders_status(shop, status):
    placed = shop.place()
    values = {}
    if status == OrderStatus.REPLACED:
        values["replaced_by_id"] = _order_id(shop.app, shop.place().token)
    _set_status(shop.app, placed.token, status, **values)

    page = shop.client.get(f"/orders/{placed.token}").get_data(as_text=True)
    assert f'data-status="{status}"' in page
    shown = [heading for heading in HEADINGS.values() if f"<h1>{heading}</h1>" in page]
    assert shown == [HEADINGS[status]]


def test_an_orders_status_is_read_back_as_the_enum(shop):
    placed = shop.place()
    with shop.app.app_context():
        order = db.session.scalar(db.select(Order).filter_by(token=placed.token))
        assert type(order.status) is OrderStatus
        assert order.status is OrderStatus.PENDING


def test_the_webhook_answers_with_the_outcomes_value(shop):
    answer = shop.webhook({"imp_uid": "imp_123456789012"})
    assert answer.json == {"outcome": SyncOutcome.UNKNOWN_PAYMENT.value}


def test_unsettled_outcomes_are_portone_unreached_and_every_failed_refund():
    failed_refunds = {outcome for outcome in SyncOutcome if outcome.endswith("_refund_failed")}
    assert {SyncOutcome.UNAVAILABLE} | failed_refunds == UNSETTLED


def _order_id(app, token: str) -> int:
    with app.app_context():
        return db.session.scalar(db.select(Order.id).filter_by(token=token))
