"""The URLs the shop gives PortOne (``m_redirect_url``, ``notice_url``) and the proxy in front:
built on PUBLIC_BASE_URL, never on a Host header a client chose."""

import json
import re

import pytest
from flask import request

from shop.catalog.seed import PRODUCTS
from tests.shop.actions import BUYER, CHOICES

PARAMS = re.compile(r'<script type="application/json" id="payment-params">(.*?)</script>', re.S)


def payment_params(shop, headers: dict) -> dict:
    """Check out one product and read the ``IMP.request_pay`` parameters of its pay page."""
    shop.add_to_cart(PRODUCTS[0]["slug"])
    placed = shop.post("/checkout", {**BUYER, **CHOICES})
    assert placed.status_code == 303
    page = shop.client.get(placed.headers["Location"], headers=headers)
    return json.loads(PARAMS.search(page.get_data(as_text=True)).group(1))


def test_portone_urls_start_with_the_public_base_url_whatever_the_host(shop):
    shop.app.config["PUBLIC_BASE_URL"] = "https://shop.example.com"
    params = payment_params(shop, {"Host": "attacker.example"})
    assert params["m_redirect_url"] == "https://shop.example.com/checkout/complete/mobile"
    assert params["notice_url"] == "https://shop.example.com/portone/webhook"


def test_without_a_public_base_url_the_sandbox_uses_the_requests_address(shop):
    params = payment_params(shop, {})
    assert params["m_redirect_url"] == "http://localhost/checkout/complete/mobile"
    assert params["notice_url"] == "http://localhost/portone/webhook"


FORWARDED = {
    "X-Forwarded-For": "203.0.113.7",
    "X-Forwarded-Proto": "https",
    "X-Forwarded-Host": "shop.example.com",
}


@pytest.mark.parametrize(
    ("hops", "seen"),
    [
        (1, ("https://shop.example.com/_seen", "203.0.113.7")),
        (0, ("http://localhost/_seen", "127.0.0.1")),
    ],
)
def test_proxy_fix_believes_the_proxy_only_when_told_to(app_factory, hops, seen):
    app = app_factory(seed=False, PROXY_FIX_HOPS=hops)
    app.add_url_rule("/_seen", "seen", lambda: [request.url, request.remote_addr])
    response = app.test_client().get("/_seen", headers=FORWARDED)
    assert tuple(response.json) == seen
