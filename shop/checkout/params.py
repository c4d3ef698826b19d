"""What the shop asks Kakao Pay's window for, built in one place for every page that opens it."""

from shop.models import Order
from shop.urls import public_url


def notice_url() -> str:
    """The webhook PortOne notifies about every payment the shop starts."""
    return public_url("checkout.webhook")


def request_pay_params(order: Order) -> dict:
    """``IMP.request_pay``'s parameters for paying ``order``, as the server priced it."""
    return {
        "pg": "kakaopay",
        "pay_method": "card",
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
