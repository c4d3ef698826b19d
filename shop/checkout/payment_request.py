"""What the payment page asks ``IMP.request_pay`` for, and what the order pages call a payment.

A fork that takes another method through PortOne changes it here, in one place: the ``pg`` and
``pay_method`` the SDK is asked for, and the label its payments get on the order pages.
"""

from flask_babel import lazy_gettext as _l

from shop.models import Order
from shop.urls import notice_url, public_url

# PortOne's channel for Kakao Pay. Kakao Pay ignores ``pay_method``: the buyer picks KakaoMoney
# or a card in the Kakao Pay window, and PortOne's record of the payment says which.
PG = "kakaopay"
PAY_METHOD = "card"

# What a payment is called, by the ``pg_provider`` and ``pay_method`` of PortOne's record;
# ``(pg_provider, None)`` names the provider's other methods.
METHOD_LABELS = {
    ("kakaopay", "point"): _l("Kakao Pay (KakaoMoney)"),
    ("kakaopay", "card"): _l("Kakao Pay (Card)"),
    ("kakaopay", None): _l("Kakao Pay"),
}


def request_pay_params(order: Order) -> dict:
    """The parameters of ``IMP.request_pay`` for ``order``: its amount and buyer as stored.

    ``m_redirect_url`` and ``notice_url`` are built on ``PUBLIC_BASE_URL``, never on the
    request's Host header.
    """
    return {
        "pg": PG,
        "pay_method": PAY_METHOD,
        "merchant_uid": order.merchant_uid,
        "name": order.name,
        "amount": order.amount,
        "buyer_email": order.buyer_email,
        "buyer_name": order.buyer_name,
        "buyer_tel": order.buyer_tel,
        "buyer_addr": order.buyer_addr,
        "buyer_postcode": order.buyer_postcode,
        "m_redirect_url": public_url("checkout.complete_mobile"),
        "notice_url": notice_url(),
    }


def payment_method(order: Order) -> str:
    """What the order's payment is called on its page, e.g. "Kakao Pay (KakaoMoney)"."""
    provider, method = order.pg_provider, order.pay_method
    label = METHOD_LABELS.get((provider, method)) or METHOD_LABELS.get((provider, None))
    # A method this table does not know yet is shown as PortOne names it.
    return str(label) if label else " ".join(name for name in (provider, method) if name)
