"""A buyer over real HTTP, for shops served by live servers (one, or several hosts behind a
load balancer), and Kakao Pay's window of the sandbox that serves them, on a phone."""

import itertools
import json
import secrets
from urllib.parse import parse_qs, urlsplit

import requests

from shop.models import Order
from tests.shop.actions import BUYER, CHOICES, CSRF_TOKEN, DECISION_FORM, PHONE_UA, WINDOW_KEY

QUANTITY = 2


class Browser:
    """One buyer's browser (one cookie jar). Behind a round-robin load balancer each request
    goes to the next host, unless the test names one; the balancer tells the shop the buyer's
    address in ``X-Forwarded-For`` (read where ``PROXY_FIX_HOPS`` is 1)."""

    def __init__(self, hosts: list[str], address: str = "198.51.100.7"):
        self.hosts = hosts
        self.turn = itertools.cycle(hosts)
        self.http = requests.Session()
        self.http.headers.update({"Accept-Language": "en", "X-Forwarded-For": address})

    def request(self, method: str, path: str, host: str | None = None, **kwargs):
        kwargs.setdefault("timeout", 30)
        kwargs.setdefault("allow_redirects", False)
        host = host or next(self.turn)
        # As a browser does on every POST from the shop's own pages (shop/csrf.py).
        headers = {"Origin": host, **kwargs.pop("headers", {})}
        return self.http.request(method, host + path, headers=headers, **kwargs)

    def csrf_token(self) -> str:
        """The session's token, or none before the buyer has a session (a first visit's pages
        carry none, and its forms are checked by their origin)."""
        found = CSRF_TOKEN.search(self.request("GET", "/").text)
        return found.group(1) if found else ""

    def post_form(self, path: str, data: dict, host: str | None = None):
        return self.request("POST", path, host, data={"csrf_token": self.csrf_token(), **data})

    def place(self, product_id: int, quantity: int = QUANTITY) -> requests.Response:
        """Put ``quantity`` of the product in the cart and check out."""
        added = self.post_form("/cart/add", {"product_id": product_id, "quantity": quantity})
        assert added.status_code in (302, 303), added.text
        return self.post_form("/checkout", {**BUYER, **CHOICES})

    def callback(self, imp_uid: str, merchant_uid: str, host: str | None = None):
        return self.request(
            "POST",
            "/checkout/complete",
            host,
            json={"imp_uid": imp_uid, "merchant_uid": merchant_uid},
            headers={"X-CSRFToken": self.csrf_token()},
        )


def pay_in_window(http: requests.Session, sandbox: str, shop: str, order: Order) -> dict:
    """Kakao Pay's window of the sandbox at ``sandbox`` on a phone, for the shop at ``shop``:
    approve; the query of the redirect back to the shop. PortOne's webhook goes to the shop."""
    params = {
        "pg": "kakaopay",
        "merchant_uid": order.merchant_uid,
        "name": "테스트 주문",
        "amount": order.amount,
        "m_redirect_url": f"{shop}/checkout/complete/mobile",
        "notice_url": f"{shop}/portone/webhook",
    }
    opened = http.post(
        f"{sandbox}/window/open",
        headers={"User-Agent": PHONE_UA},
        data={
            "mode": "redirect",
            "origin": shop,
            "request_id": secrets.token_hex(8),
            "imp_code": "imp00000000",
            "params": json.dumps(params),
        },
        allow_redirects=False,
        timeout=30,
    )
    assert opened.status_code == 200, opened.text
    decided = http.post(
        urlsplit(sandbox)._replace(path=DECISION_FORM.search(opened.text).group(1)).geturl(),
        headers={"User-Agent": PHONE_UA},
        data={"key": WINDOW_KEY.search(opened.text).group(1), "decision": "approve"},
        allow_redirects=False,
        timeout=30,
    )
    assert decided.status_code in (302, 303), decided.text
    return {k: v[0] for k, v in parse_qs(urlsplit(decided.headers["Location"]).query).items()}
