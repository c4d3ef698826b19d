"""Paying an order the way a phone's browser does, through the mounted sandbox's own pages.

No browser: the two form posts the window makes (open, then the buyer's decision) are sent
with the shop's test client, which reaches the sandbox mounted at /portone-sandbox.
"""

import json
import re
import secrets
from urllib.parse import parse_qs, urlsplit

from shop.extensions import db
from shop.models import Order

SANDBOX = "/portone-sandbox"
BUYER = {
    "buyer_name": "김민지",
    "buyer_email": "minji@example.com",
    "buyer_tel": "010-1234-5678",
    "buyer_addr": "서울특별시 강남구 테헤란로 152",
    "buyer_postcode": "06236",
}
PHONE_UA = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Mobile/15E148"


def pay(client, merchant_uid: str, amount: int, decision: str = "approve", pay_with="point"):
    """Open the Kakao Pay window for ``merchant_uid`` and decide; return the redirect's query."""
    params = {
        "pg": "kakaopay",
        "merchant_uid": merchant_uid,
        "name": "테스트 주문",
        "amount": amount,
        "m_redirect_url": "http://localhost/checkout/complete/mobile",
    }
    return decide_in_window(client, params, decision, pay_with)


def decide_in_window(
    client, params: dict, decision="approve", pay_with="point", decline_charges=False
) -> dict:
    """Open the window for ``IMP.request_pay(params)`` and decide; return the redirect's query.

    ``decline_charges`` ticks "Decline later charges" (a billing key whose charges fail)."""
    opened = client.post(
        f"{SANDBOX}/window/open",
        data={
            "mode": "redirect",
            "origin": "http://localhost",
            "request_id": secrets.token_hex(8),
            "imp_code": "imp00000000",
            "params": json.dumps(params),
        },
        headers={"User-Agent": PHONE_UA},
    )
    assert opened.status_code == 303, opened.get_data(as_text=True)
    window = urlsplit(opened.headers["Location"])
    if "/window/" not in window.path:
        return _query(opened.headers["Location"])
    key = parse_qs(window.query)["key"][0]
    decided = client.post(
        window.path,
        data={
            "key": key,
            "decision": decision,
            "pay_with": pay_with,
            **({"decline_charges": "on"} if decline_charges else {}),
        },
        headers={"User-Agent": PHONE_UA},
    )
    assert decided.status_code in (302, 303), decided.get_data(as_text=True)
    return _query(decided.headers["Location"])


def _query(location: str) -> dict:
    return {name: values[0] for name, values in parse_qs(urlsplit(location).query).items()}


def order_by_uid(app, merchant_uid: str) -> Order:
    with app.app_context():
        order = db.session.scalar(db.select(Order).filter_by(merchant_uid=merchant_uid))
        db.session.expunge(order)
        return order


IMP_UID = re.compile(r"imps?_\d{12}")
