"""The shapes of PortOne's identifiers, checked before any of them goes into a request.

Ids reach the shop from browsers and unsigned webhooks, and most of them end up in a URL path
(``/payments/{imp_uid}``). PortOne's server decodes ``%2F`` back into ``/``, so an "id" such as
``status/paid`` or ``find/<merchant_uid>`` would call another endpoint. Only ids of the
documented shape are sent, which also keeps every one of them a single, plain path segment.
"""

import re

# ``imp_`` + 12 digits from the payment window, ``imps_`` + 12 digits from the API; the
# schema's limit is 32 characters. Letters after ``imp`` and in the tail are let through so
# that a new kind of payment PortOne numbers differently is not refused.
IMP_UID = re.compile(r"imp[a-z]*_[A-Za-z0-9]+")
IMP_UID_MAX = 32

# Chosen by the merchant: letters, digits and ``_ - . : @``, starting with a letter or digit
# (so never ``.`` or ``..``). PortOne keeps 40 characters of a merchant_uid, 80 of a customer_uid.
MERCHANT_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.:@-]*")
MERCHANT_UID_MAX = 40
CUSTOMER_UID_MAX = 80

PAYMENT_STATUSES = ("ready", "paid", "cancelled", "failed")


def is_imp_uid(value) -> bool:
    """Whether ``value`` has the shape of a PortOne payment id (``imp_123456789012``)."""
    return _fits(value, IMP_UID, IMP_UID_MAX)


def is_merchant_uid(value) -> bool:
    return _fits(value, MERCHANT_ID, MERCHANT_UID_MAX)


def is_customer_uid(value) -> bool:
    return _fits(value, MERCHANT_ID, CUSTOMER_UID_MAX)


def is_payment_status(value) -> bool:
    return value in PAYMENT_STATUSES


def _fits(value, pattern: re.Pattern, limit: int) -> bool:
    return isinstance(value, str) and len(value) <= limit and pattern.fullmatch(value) is not None
