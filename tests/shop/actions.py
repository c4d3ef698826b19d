"""What a buyer's browser does to the shop over HTTP, in one line each, without a browser.

``ShopActions`` is the one place that knows how a buyer reads a page's CSRF token, fills the
cart, checks out, and pays in the sandbox's Kakao Pay window (the two form posts the window
makes, sent through the shop's test client to the sandbox mounted at /portone-sandbox, as a
phone's browser would), and how a test reads back the products and orders that changed.
"""

import json
import re
import secrets
from urllib.parse import parse_qs, urlsplit

from flask import Flask
from flask.testing import FlaskClient

from shop.extensions import db
from shop.models import Order, Product

SANDBOX = "/portone-sandbox"
BUYER = {
    "buyer_name": "김민지",
    "buyer_email": "minji@example.com",
    "buyer_tel": "010-1234-5678",
    "buyer_addr": "서울특별시 강남구 테헤란로 152",
    "buyer_postcode": "06236",
}
PHONE_UA = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Mobile/15E148"

# The hidden field in every form, or the meta tag base.html puts on every page.
CSRF_TOKEN = re.compile(r'name="csrf[_-]token"[^>]*(?:value|content)="([^"]+)"')


class ShopActions:
    """A buyer on ``client`` (cookies and all) in the shop ``app``."""

    def __init__(self, app: Flask, client: FlaskClient):
        self.app = app
        self.client = client

    def csrf_token(self, path: str = "/") -> str:
        """The CSRF token a page hands out, read from its HTML as a browser would."""
        page = self.client.get(path).get_data(as_text=True)
        match = CSRF_TOKEN.search(page)
        assert match, f"no CSRF token on {path}"
        return match.group(1)

    def post(self, path: str, data: dict, **kwargs):
        """Post a form with a valid CSRF token, as the shop's pages do."""
        return self.client.post(path, data={"csrf_token": self.csrf_token(), **data}, **kwargs)

    def add_to_cart(self, slug: str, quantity: int | str = 1, **kwargs):
        item = self.product(slug)
        return self.post("/cart/add", {"product_id": item.id, "quantity": quantity}, **kwargs)

    def checkout(self, **overrides):
        """Submit the checkout form with ``BUYER``'s details (and ``overrides``)."""
        return self.post("/checkout", {**BUYER, **overrides})

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
        assert opened.status_code == 303, opened.get_data(as_text=True)
        window = urlsplit(opened.headers["Location"])
        if "/window/" not in window.path:
            return _query(opened.headers["Location"])
        key = parse_qs(window.query)["key"][0]
        decided = self.client.post(
            window.path,
            data={"key": key, "decision": decision, "pay_with": pay_with},
            headers={"User-Agent": PHONE_UA},
        )
        assert decided.status_code in (302, 303), decided.get_data(as_text=True)
        return _query(decided.headers["Location"])

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

    def order(self, merchant_uid: str) -> Order:
        """An order as the database has it now."""
        with self.app.app_context():
            found = db.session.scalar(db.select(Order).filter_by(merchant_uid=merchant_uid))
            assert found is not None, merchant_uid
            db.session.expunge(found)
            return found


def _query(location: str) -> dict:
    return {name: values[0] for name, values in parse_qs(urlsplit(location).query).items()}
