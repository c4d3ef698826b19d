"""Checkout: the order, PortOne's prepare, the payment page, the three completion doors, and
finding an order again."""

from flask import Blueprint

bp = Blueprint("checkout", __name__)

from shop.checkout import lookup, routes  # noqa: E402, F401
