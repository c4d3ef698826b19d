"""Subscriptions: plans, subscribing in Kakao Pay's window, renewals booked as PortOne's
scheduled payments, declines retried, cancel and resume, and a command that reconciles them.

Commands (``cli_group=None``) sit at the top of ``flask --app shop``.
"""

from flask import Blueprint

bp = Blueprint("subscriptions", __name__, cli_group=None)

from shop.subscriptions import reconcile, renewals, routes  # noqa: E402, F401
