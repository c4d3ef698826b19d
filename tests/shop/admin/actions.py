"""What an admin does in the HTTP tests, and the orders they act on."""

import re
from dataclasses import dataclass

from sqlalchemy import select

from shop.extensions import db
from shop.models import Order, OrderStatus, PaymentEvent, Refund
from tests.shop.actions import Placed

ADMIN_EMAIL = "admin@example.com"
REASON = "고객 요청: 상품 일부 반품"
BALANCE = re.compile(r'name="balance" type="hidden" value="([^"]*)"')


@dataclass
class PaidOrder:
    placed: Placed
    id: int
    imp_uid: str


def pay_order(shop, quantity: int = 2) -> PaidOrder:
    """Place an order in ``shop``'s browser and pay it in the Kakao Pay window (PC callback)."""
    placed = shop.place(quantity)
    query = shop.pay(placed.merchant_uid, placed.amount)
    assert shop.callback(query["imp_uid"]).json["status"] == OrderStatus.PAID
    return PaidOrder(placed, order_id_of(shop.app, placed.merchant_uid), query["imp_uid"])


def order_id_of(app, merchant_uid: str) -> int:
    with app.app_context():
        return db.session.scalar(select(Order.id).where(Order.merchant_uid == merchant_uid))


def shown_balance(admin, order_id: int) -> str:
    """The refundable balance the order's admin page puts in its refund form."""
    page = admin.client.get(f"/admin/orders/{order_id}").get_data(as_text=True)
    match = BALANCE.search(page)
    assert match, "no refund form on the order's admin page"
    return match.group(1)


def refund(admin, order_id: int, amount, reason: str = REASON, balance: str | None = None):
    """Fill in and submit the order page's refund form, as the admin's browser would."""
    balance = shown_balance(admin, order_id) if balance is None else balance
    return admin.post(
        f"/admin/orders/{order_id}/refund",
        {"amount": amount, "reason": reason, "balance": balance},
    )


def fetch_order(app, order_id: int) -> Order:
    with app.app_context():
        order = db.session.get(Order, order_id)
        db.session.expunge(order)
        return order


def refunds(app) -> list[Refund]:
    with app.app_context():
        found = db.session.scalars(select(Refund).order_by(Refund.id)).all()
        db.session.expunge_all()
        return found


def outcomes(app, imp_uid: str, *sources: str) -> list[str]:
    """The outcomes of the payment's syncs (by some doors only, when named), oldest first."""
    with app.app_context():
        query = select(PaymentEvent.outcome).where(PaymentEvent.imp_uid == imp_uid)
        if sources:
            query = query.where(PaymentEvent.source.in_(sources))
        return db.session.scalars(query.order_by(PaymentEvent.id)).all()
