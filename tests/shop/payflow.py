"""Paying an order the way a phone's browser does, through the mounted sandbox's own pages.

No browser: the two form posts the window makes (open, then the buyer's decision) are sent
with the shop's test client, which reaches the sandbox mounted at /portone-sandbox.
"""

import json
import re
import secrets
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

from sqlalchemy import select

from shop.extensions import db
from shop.models import Order, PaymentEvent, Product
from tests.sandbox_controls import AUTHORIZATION

SANDBOX = "/portone-sandbox"
BUYER = {
    "buyer_name": "김민지",
    "buyer_email": "minji@example.com",
    "buyer_tel": "010-1234-5678",
    "buyer_addr": "서울특별시 강남구 테헤란로 152",
    "buyer_postcode": "06236",
}
PHONE_UA = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Mobile/15E148"
# The window's page: where its decision is posted, and the secret the decision carries.
DECISION_FORM = re.compile(r'<form method="post" action="([^"]+)" class="decision"')
WINDOW_KEY = re.compile(r'<input type="hidden" name="key" value="([^"]+)">')


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
    if opened.status_code == 303:
        # Refused before any window opened: straight back to m_redirect_url.
        return _query(opened.headers["Location"])
    page = opened.get_data(as_text=True)
    assert opened.status_code == 200, page
    decided = client.post(
        DECISION_FORM.search(page).group(1),
        data={
            "key": WINDOW_KEY.search(page).group(1),
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


@dataclass
class Placed:
    merchant_uid: str
    token: str
    amount: int
    slug: str
    stock: int


def place(shop, quantity: int = 2, slug: str | None = None) -> Placed:
    """Put ``quantity`` of a product in the cart and check out, as a buyer would."""
    with shop.app.app_context():
        if slug is None:
            slug = db.session.scalars(select(Product.slug).where(Product.stock >= 10)).first()
        stock = db.session.scalar(select(Product.stock).where(Product.slug == slug))
    shop.add_to_cart(slug, quantity)
    response = shop.post("/checkout", BUYER)
    assert response.status_code == 303, response.get_data(as_text=True)
    with shop.app.app_context():
        order = db.session.scalars(select(Order).order_by(Order.id.desc())).first()
        return Placed(order.merchant_uid, order.token, order.amount, slug, stock)


def callback(shop, imp_uid: str, merchant_uid: str | None = None):
    """The PC door: what the payment page's callback posts."""
    return shop.client.post(
        "/checkout/complete",
        json={"imp_uid": imp_uid, "merchant_uid": merchant_uid},
        headers={"X-CSRFToken": shop.csrf_token()},
    )


def redirect_door(shop, query: dict):
    """The phone door: Kakao Pay sends the browser back with the payment in the query."""
    return shop.client.get("/checkout/complete/mobile", query_string=query)


def webhook(shop, body: dict, form: bool = False):
    if form:
        return shop.client.post("/portone/webhook", data=body)
    return shop.client.post("/portone/webhook", json=body)


def events(app, outcome: str | None = None) -> list[PaymentEvent]:
    with app.app_context():
        query = select(PaymentEvent).order_by(PaymentEvent.id)
        if outcome:
            query = query.where(PaymentEvent.outcome == outcome)
        return db.session.scalars(query).all()


def sandbox_payment(app, imp_uid: str) -> dict:
    """The payment as PortOne (the sandbox) records it now."""
    with app.test_request_context():
        return app.extensions["portone"].get_payment(imp_uid)


def refund_at_portone(app, imp_uid: str, amount: int) -> dict:
    """Refund part of a payment through ``POST /payments/cancel``, as a merchant's server may."""
    with app.test_request_context():
        return app.extensions["portone"].cancel_payment(imp_uid, amount=amount)


def console_cancel(shop, imp_uid: str) -> None:
    """Cancel a payment from the sandbox's console, as a merchant would in PortOne's."""
    response = shop.client.post(
        f"{SANDBOX}/_sandbox/payments/{imp_uid}/cancel", json={}, headers=AUTHORIZATION
    )
    assert response.status_code == 200, response.get_data(as_text=True)


def advance_sandbox_clock(shop, seconds: int) -> None:
    """Move PortOne's clock on, so what is paid now is paid ``seconds`` later."""
    response = shop.client.post(
        f"{SANDBOX}/_sandbox/clock/advance", json={"seconds": seconds}, headers=AUTHORIZATION
    )
    assert response.status_code == 200, response.get_data(as_text=True)
