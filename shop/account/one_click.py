"""One-click buying: the server prices the order and charges the saved Kakao Pay with
``POST /subscribe/payments/again``; the payment then goes through ``sync_payment`` like any other.

Charged once. The product page's form carries a purchase key the server issued: signed, bound to
the account, naming the merchant_uid the order will have. ``orders.merchant_uid`` is unique, so
a double click, the same form sent again or from a second tab finds the order the first
submission made, and only the request that created the order charges the key.
"""

from flask import current_app
from itsdangerous import BadData, URLSafeTimedSerializer
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from shop.cart import CartLine
from shop.checkout.orders import new_merchant_uid, place_order
from shop.extensions import db
from shop.models import BillingKey, Order, Product, User
from shop.payments import sync_payment
from shop.portone import PortOneError, PortOneUnavailable, is_merchant_uid, portone
from shop.urls import notice_url

SALT = "one-click purchase"
# A product page left open longer than this is reloaded before it can charge.
MAX_AGE = 24 * 60 * 60


def issue_purchase_key(user: User) -> str:
    """A purchase key for one product page: one order, whatever the number of submissions."""
    return _serializer().dumps({"user": user.id, "merchant_uid": new_merchant_uid()})


def merchant_uid_of(purchase_key: str, user: User) -> str | None:
    """The merchant_uid ``purchase_key`` names, if the server issued it to ``user`` lately."""
    try:
        data = _serializer().loads(purchase_key, max_age=MAX_AGE)
    except BadData:
        return None
    if not isinstance(data, dict) or data.get("user") != user.id:
        return None
    merchant_uid = data.get("merchant_uid")
    return merchant_uid if is_merchant_uid(merchant_uid) else None


def buy_with_saved_key(
    user: User, key: BillingKey, product: Product, quantity: int, merchant_uid: str
) -> tuple[Order, str | None]:
    """The order for ``merchant_uid``, charged to ``key`` if this call created it.

    Returns the order and, when PortOne refused the charge outright (no payment was made),
    PortOne's reason. A decline is a failed payment: ``sync_payment`` records it on the order.
    Raises ``OrderError`` when the order cannot be placed (out of stock, PortOne unreachable).
    """
    existing = _order(merchant_uid)
    if existing is not None:
        return existing, None
    try:
        order = place_order(
            [CartLine(product=product, quantity=quantity)],
            user.buyer(),
            user_id=user.id,
            merchant_uid=merchant_uid,
        )
    except IntegrityError:
        # A concurrent submission of the same form created the order: it charges, not this one.
        db.session.rollback()
        return _order(merchant_uid), None
    try:
        payment = portone().pay_again(
            key.customer_uid,
            order.merchant_uid,
            order.amount,
            order.name,
            buyer_name=order.buyer_name,
            buyer_email=order.buyer_email,
            buyer_tel=order.buyer_tel,
            buyer_addr=order.buyer_addr,
            buyer_postcode=order.buyer_postcode,
            notice_url=notice_url(),
        )
    except PortOneUnavailable:
        # The charge may still have been made: the order page asks PortOne by merchant_uid.
        return order, None
    except PortOneError as exc:
        return order, exc.message
    sync_payment(payment["imp_uid"], "again")
    return order, None


def _order(merchant_uid: str) -> Order | None:
    return db.session.scalar(select(Order).where(Order.merchant_uid == merchant_uid))


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=SALT)
