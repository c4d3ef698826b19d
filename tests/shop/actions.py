"""What a buyer's browser does to the shop over HTTP, in one line each, without a browser.

``ShopActions`` is the one place that knows how a buyer reads a page's CSRF token, fills the
cart, checks out, and pays in the sandbox's Kakao Pay window (the two form posts the window
makes, sent through the shop's test client to the sandbox mounted at /portone-sandbox, as a
phone's browser would); how the payment reaches the shop again through each of its doors
(the PC callback, the phone redirect, PortOne's webhook); what PortOne and its console do
meanwhile; and how a test reads back the products, orders and payments that changed.
"""

import json
import re
import secrets
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

from flask import Flask
from flask.testing import FlaskClient
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
# The checkout's choices besides the details: deliver to the buyer, and agree to pay.
CHOICES = {"same_as_buyer": "y", "consent": "y"}

# What a page on another site sends with a form it posts to the shop (shop/csrf.py).
ELSEWHERE = {"Origin": "https://attacker.example"}
PHONE_UA = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Mobile/15E148"

# The hidden field in every form of a visitor with a session.
CSRF_TOKEN = re.compile(r'name="csrf[_-]token"[^>]*(?:value|content)="([^"]+)"')
# The window's page: where its decision is posted, and the secret the decision carries.
DECISION_FORM = re.compile(r'<form method="post" action="([^"]+)" class="decision"')
WINDOW_KEY = re.compile(r'<input type="hidden" name="key" value="([^"]+)">')


def with_shipping(app: Flask, subtotal: int) -> int:
    """What an order of ``subtotal`` won of products costs, shipping included, by the rule
    the shop's config states (a fee, waived from an amount of products)."""
    free = subtotal >= app.config["FREE_SHIPPING_FROM"]
    return subtotal + (0 if free else app.config["SHIPPING_FEE"])


@dataclass
class Placed:
    """An order just placed, and the stock of its product before it."""

    merchant_uid: str
    token: str
    amount: int
    slug: str
    stock: int


class ShopActions:
    """A buyer on ``client`` (cookies and all) in the shop ``app``."""

    def __init__(self, app: Flask, client: FlaskClient):
        self.app = app
        self.client = client

    def csrf_token(self, path: str = "/") -> str:
        """The CSRF token a page hands out, read from its HTML as a browser would; empty for a
        visitor without a session, whose pages carry none (their POST's Origin vouches)."""
        page = self.client.get(path).get_data(as_text=True)
        match = CSRF_TOKEN.search(page)
        return match.group(1) if match else ""

    def post(self, path: str, data: dict, **kwargs):
        """Post a form with a valid CSRF token, as the shop's pages do."""
        return self.client.post(path, data={"csrf_token": self.csrf_token(), **data}, **kwargs)

    def add_to_cart(self, slug: str, quantity: int | str = 1, **kwargs):
        item = self.product(slug)
        return self.post("/cart/add", {"product_id": item.id, "quantity": quantity}, **kwargs)

    def checkout(self, **overrides):
        """Submit the checkout form with ``BUYER``'s details, delivered to the buyer, the
        payment agreed to (and ``overrides``)."""
        return self.post("/checkout", {**BUYER, **CHOICES, **overrides})

    def pay(
        self, merchant_uid: str, amount: int, decision: str = "approve", pay_with: str = "point"
    ) -> dict:
        """Open the Kakao Pay window for ``merchant_uid`` on a phone and decide (approve,
        decline or cancel); return the query of the redirect back to the shop."""
        params = {
            "pg": "kakaopay",
            "merchant_uid": merchant_uid,
            "name": "테스트 주문",
            "amount": amount,
            "m_redirect_url": "http://localhost/checkout/complete/mobile",
        }
        return self.decide_in_window(params, decision, pay_with)

    def decide_in_window(
        self,
        params: dict,
        decision: str = "approve",
        pay_with: str = "point",
        decline_charges: bool = False,
    ) -> dict:
        """Open the window for ``IMP.request_pay(params)`` on a phone and decide; return the
        query of the redirect back to the shop.

        ``decline_charges`` ticks "Decline later charges" (a billing key whose charges fail)."""
        opened = self.client.post(
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
        decided = self.client.post(
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

    def place(self, quantity: int = 2, slug: str | None = None) -> Placed:
        """Put ``quantity`` of a product in the cart and check out, as a buyer would."""
        with self.app.app_context():
            if slug is None:
                slug = db.session.scalars(select(Product.slug).where(Product.stock >= 10)).first()
            stock = db.session.scalar(select(Product.stock).where(Product.slug == slug))
        self.add_to_cart(slug, quantity)
        response = self.checkout()
        assert response.status_code == 303, response.get_data(as_text=True)
        with self.app.app_context():
            order = db.session.scalars(select(Order).order_by(Order.id.desc())).first()
            return Placed(order.merchant_uid, order.token, order.amount, slug, stock)

    def callback(self, imp_uid: str, merchant_uid: str | None = None):
        """The PC door: what the payment page's callback posts."""
        return self.client.post(
            "/checkout/complete",
            json={"imp_uid": imp_uid, "merchant_uid": merchant_uid},
            headers={"X-CSRFToken": self.csrf_token()},
        )

    def redirect_door(self, query: dict):
        """The phone door: Kakao Pay sends the browser back with the payment in the query."""
        return self.client.get("/checkout/complete/mobile", query_string=query)

    def webhook(self, body: dict, form: bool = False):
        """The webhook door: what PortOne posts to the shop, as JSON or as a form."""
        if form:
            return self.client.post("/portone/webhook", data=body)
        return self.client.post("/portone/webhook", json=body)

    def console_cancel(self, imp_uid: str) -> None:
        """Cancel a payment from the sandbox's console, as a merchant would in PortOne's."""
        response = self.client.post(
            f"{SANDBOX}/_sandbox/payments/{imp_uid}/cancel", json={}, headers=AUTHORIZATION
        )
        assert response.status_code == 200, response.get_data(as_text=True)

    def advance_sandbox_clock(self, seconds: int) -> None:
        """Move PortOne's clock on, so what is paid now is paid ``seconds`` later."""
        response = self.client.post(
            f"{SANDBOX}/_sandbox/clock/advance", json={"seconds": seconds}, headers=AUTHORIZATION
        )
        assert response.status_code == 200, response.get_data(as_text=True)

    def sandbox_payment(self, imp_uid: str) -> dict:
        """The payment as PortOne (the sandbox) records it now."""
        with self.app.test_request_context():
            return self.app.extensions["portone"].get_payment(imp_uid)

    def refund_at_portone(self, imp_uid: str, amount: int) -> dict:
        """Refund part of a payment with ``POST /payments/cancel``, as a merchant's server may."""
        with self.app.test_request_context():
            return self.app.extensions["portone"].cancel_payment(imp_uid, amount=amount)

    def cart(self) -> dict:
        """The cart as stored in the session cookie."""
        with self.client.session_transaction() as session:
            return dict(session.get("cart", {}))

    def product(self, slug: str) -> Product:
        """A product as the database has it now."""
        with self.app.app_context():
            item = db.session.scalar(db.select(Product).filter_by(slug=slug))
            assert item is not None, slug
            return item

    def update_product(self, slug: str, **fields) -> None:
        with self.app.app_context():
            item = db.session.scalar(db.select(Product).filter_by(slug=slug))
            for name, value in fields.items():
                setattr(item, name, value)
            db.session.commit()

    def last_order(self) -> Order | None:
        """The latest order placed in the shop, as the database has it now, if any."""
        with self.app.app_context():
            found = db.session.scalars(db.select(Order).order_by(Order.id.desc())).first()
            if found is not None:
                db.session.expunge(found)
            return found

    def order(self, merchant_uid: str) -> Order:
        """An order as the database has it now."""
        with self.app.app_context():
            found = db.session.scalar(db.select(Order).filter_by(merchant_uid=merchant_uid))
            assert found is not None, merchant_uid
            db.session.expunge(found)
            return found

    def events(self, outcome: str | None = None) -> list[PaymentEvent]:
        """The shop's payment log, oldest first; only ``outcome``'s entries if given."""
        with self.app.app_context():
            query = select(PaymentEvent).order_by(PaymentEvent.id)
            if outcome:
                query = query.where(PaymentEvent.outcome == outcome)
            return db.session.scalars(query).all()


def _query(location: str) -> dict:
    return {name: values[0] for name, values in parse_qs(urlsplit(location).query).items()}
