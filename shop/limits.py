"""Rate limits of the requests that cost the shop a call to PortOne, per client address.

An order costs a prepare; a webhook may cost a re-fetch. Counted by Flask-Limiter
(``shop.extensions.limiter``) in ``RATELIMIT_STORAGE_URI``: Redis where configured, so every
worker and host counts together. Log-ins and order look-ups have limits of their own.
"""

from flask import current_app
from flask_babel import lazy_gettext as _l

from shop.extensions import limiter

TOO_MANY_ORDERS = _l(
    "Too many orders from your address in a short time. Please wait a few minutes and try again."
)
TOO_MANY_WEBHOOKS = _l("Too many notifications from this address. Please send it again later.")


def _placed(response) -> bool:
    """Only a request that was answered as placed counts: a form sent back with its errors
    costs PortOne nothing."""
    return response.status_code < 400


# One count for every way of placing an order: the checkout, paying a failed order again,
# a signed-in buyer's purchase.
orders = limiter.shared_limit(
    lambda: current_app.config["ORDERS_PER_ADDRESS"],
    scope="orders",
    methods=["POST"],
    deduct_when=_placed,
    error_message=TOO_MANY_ORDERS,
)

webhooks = limiter.limit(
    lambda: current_app.config["WEBHOOKS_PER_ADDRESS"], error_message=TOO_MANY_WEBHOOKS
)
