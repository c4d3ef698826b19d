"""Creating orders: the server decides every amount, then registers it with PortOne."""

import secrets
from datetime import datetime

from shop.cart import check_stock
from shop.extensions import db
from shop.models import Order, OrderItem
from shop.portone import PortOneError, portone

NAME_LIMIT = 40


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
    """A pending order for ``lines`` at today's prices, its amount registered with PortOne.

    ``lines`` have ``product`` and ``quantity``. ``user_id`` is the account placing it (None for
    a guest); ``merchant_uid`` one the caller derived (else a new one): an order with it
    already there raises ``IntegrityError``. Raises ``OrderError`` (nothing saved) when an item
    is out of stock or PortOne cannot take the amount.
    """
    if not lines:
        raise OrderError("Your cart is empty.")
    for line in lines:
        try:
            check_stock(line.product, line.quantity)
        except ValueError as exc:
            raise OrderError(str(exc)) from exc
    order = Order(
        merchant_uid=merchant_uid or new_merchant_uid(),
        user_id=user_id,
        name=order_name(lines),
        amount=sum(line.product.price * line.quantity for line in lines),
        currency="KRW",
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
            "Kakao Pay is not reachable right now. Nothing was charged; please try again."
        ) from exc
    return order
