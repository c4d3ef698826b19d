"""Checkout: the order, PortOne's prepare, the payment page, and the three completion doors."""

from flask import Blueprint

bp = Blueprint("checkout", __name__)

from shop.checkout import routes  # noqa: E402, F401
