"""Creating orders: the server decides every amount, then registers it with PortOne."""

import secrets
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import update

from shop.cart import check_stock
from shop.extensions import db
from shop.models import Order, OrderItem, OrderStatus, utcnow
from shop.portone import PortOneError, portone
from shop.shipping import charges

NAME_LIMIT = 40

# An order that can be placed again as a new one, at the day's prices: an expired one, or a
# failed one whose time ran out (until then a failed order is paid again as itself).
RETRYABLE = (OrderStatus.FAILED, OrderStatus.EXPIRED)


class OrderError(Exception):
    """The order cannot be placed; the message is for the buyer."""


def new_merchant_uid() -> str:
    """Unique, unguessable and within PortOne's 40 characters: ``ord_20261127_9f3c…``."""
    return f"ord_{datetime.now():%Y%m%d}_{secrets.token_hex(8)}"


def order_name(lines) -> str:
    """The order's name as Kakao Pay shows it: the first item, plus "외 N건" for the rest."""
    first = lines[0].product.name
    suffix = f" 외 {len(lines) - 1}건" if len(lines) > 1 else ""
    if len(first) + len(suffix) > NAME_LIMIT:
        first = first[: NAME_LIMIT - len(suffix) - 1] + "…"
    return first + suffix


def place_order(
    lines, buyer: dict, *, user_id: int | None = None, merchant_uid: str | None = None
) -> Order:
    """A pending order for ``lines`` at today's prices and shipping fee, its amount
    registered with PortOne.

    ``lines`` have ``product`` and ``quantity``; ``buyer`` the order's buyer and delivery
    fields (``CheckoutForm.ORDER_FIELDS``, or some of them). ``user_id`` is the account
    placing it (None for a guest); ``merchant_uid`` one the caller derived (else a new one):
    an order with it already there raises ``IntegrityError``. Raises ``OrderError``
    (nothing saved) when an item is out of stock or PortOne cannot take the amount. The
    order can be paid for ``ORDER_PAYABLE_MINUTES``; a payment after that is refunded.
    """
    if not lines:
        raise OrderError(_("Your cart is empty."))
    for line in lines:
        try:
            check_stock(line.product, line.quantity)
        except ValueError as exc:
            raise OrderError(str(exc)) from exc
    priced = charges(sum(line.product.price * line.quantity for line in lines))
    order = Order(
        merchant_uid=merchant_uid or new_merchant_uid(),
        user_id=user_id,
        name=order_name(lines),
        amount=priced.total,
        shipping_fee=priced.shipping_fee,
        currency="KRW",
        payable_until=utcnow() + timedelta(minutes=current_app.config["ORDER_PAYABLE_MINUTES"]),
        items=[
            OrderItem(
                product_id=line.product.id,
                product_name=line.product.name,
                unit_price=line.product.price,
                quantity=line.quantity,
            )
            for line in lines
        ],
        **buyer,
    )
    db.session.add(order)
    db.session.commit()
    try:
        portone().prepare(order.merchant_uid, order.amount)
    except PortOneError as exc:
        db.session.delete(order)
        db.session.commit()
        raise OrderError(
            _("Kakao Pay is not reachable right now. Nothing was charged; please try again.")
        ) from exc
    return order


def place_again(order: Order, lines, buyer: dict) -> Order | None:
    """A new order for a failed or expired one, at today's prices; the old one is replaced.

    A replaced order takes no payment (``sync_payment`` refunds one made from an old tab), so
    the buyer cannot pay for both. Returns None, keeping nothing new, when ``order`` stopped
    being retryable meanwhile: paid from another tab, or placed again by another click.
    Raises ``OrderError`` as ``place_order`` does.
    """
    new_order = place_order(lines, buyer, user_id=order.user_id)
    replaced = db.session.execute(
        update(Order)
        .where(Order.id == order.id, Order.status.in_(RETRYABLE))
        .values(status=OrderStatus.REPLACED, replaced_by_id=new_order.id, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    if replaced.rowcount == 1:
        db.session.commit()
        return new_order
    # Never shown to anyone, so never paid: the prepared amount at PortOne is simply unused.
    db.session.delete(new_order)
    db.session.commit()
    return None
