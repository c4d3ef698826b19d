"""The orders this browser placed: the only ones a completion door may send it to.

An order's token opens its pages, which show the buyer's name, address, e-mail and phone. The
doors are reached with nothing but an ``imp_uid`` or a ``merchant_uid``, and both are printed on
pages and receipts, so a door hands out an order's address only to the session that placed it.
The session keeps the tokens of its last few orders, as the server gave them (the cookie is
signed); the buyer's details stay in the database, never in the cookie.
"""

from flask import session
from sqlalchemy import select

from shop.extensions import db
from shop.models import Order

# Enough for a buyer with a few tabs and a retry or two; the cookie stays small.
KEEP = 8


def remember(order: Order) -> None:
    """Note that this session placed ``order``."""
    tokens = [token for token in _tokens() if token != order.token]
    session["placed"] = [*tokens, order.token][-KEEP:]


def placed_here(order: Order | None) -> Order | None:
    """``order`` if this session placed it, else None."""
    if order is not None and order.token in _tokens():
        return order
    return None


def placed_order(merchant_uid) -> Order | None:
    """The order with ``merchant_uid`` among those this session placed."""
    if not isinstance(merchant_uid, str) or not _tokens():
        return None
    return db.session.scalar(
        select(Order).where(Order.merchant_uid == merchant_uid, Order.token.in_(_tokens()))
    )


def last_buyer(fields) -> dict | None:
    """The buyer's details from this session's latest order, to fill in the checkout form."""
    tokens = _tokens()
    if not tokens:
        return None
    order = db.session.scalar(select(Order).where(Order.token == tokens[-1]))
    return {name: getattr(order, name) for name in fields} if order is not None else None


def _tokens() -> list[str]:
    return session.get("placed") or []
