"""Security headers on every response of the shop, and none of them on the mounted sandbox's
pages, which the shop's payment page must be able to frame."""

import json
import secrets

import pytest

from shop.catalog.seed import PRODUCTS
from tests.shop.actions import BUYER, CHOICES, PHONE_UA, SANDBOX


def policy(response) -> dict[str, list[str]]:
    """The Content-Security-Policy as {directive: [sources]}."""
    header = response.headers["Content-Security-Policy"]
    directives = [part.split() for part in header.split(";") if part.strip()]
    return {name: sources for name, *sources in directives}


POSTCODE_ORIGIN = "https://t1.daumcdn.net"


def assert_shop_headers(response, portone: list[str], scripts: tuple[str, ...] = ()) -> None:
    """The shop's policy, allowing ``portone``'s origins and, for scripts only, ``scripts``."""
    csp = policy(response)
    assert csp["default-src"] == ["'self'"]
    assert csp["script-src"] == ["'self'", *portone, *scripts]
    for directive in ("style-src", "frame-src", "connect-src", "form-action"):
        assert csp[directive] == ["'self'", *portone], directive
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["object-src"] == ["'none'"]
    assert csp["base-uri"] == ["'none'"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"


@pytest.fixture
def order_token(shop) -> str:
    """An order placed by this client, whose cart still holds its product."""
    shop.add_to_cart(PRODUCTS[0]["slug"])
    placed = shop.post("/checkout", {**BUYER, **CHOICES})
    assert placed.status_code == 303
    return placed.headers["Location"].split("/")[2]


def every_request(app, token: str):
    """(method, path) for every route of the shop, each method it answers."""
    values = {
        "slug": PRODUCTS[0]["slug"],
        "token": token,
        "filename": "css/shop.css",
        "order_id": 1,
        "subscription_id": 1,
    }
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith(SANDBOX):
            continue
        # A new kind of path argument needs a value above: fail rather than skip the route.
        path = rule.build({name: values[name] for name in rule.arguments})[1]
        for method in sorted(rule.methods & {"GET", "POST"}):
            yield method, path
    yield "GET", "/no-such-page"


def test_every_shop_response_carries_the_security_headers(app, client, order_token):
    requests = list(every_request(app, order_token))
    assert len(requests) >= 16
    for method, path in requests:
        response = client.open(path, method=method)
        assert response.status_code < 500, (method, path)
        # The checkout alone loads the postcode search's script.
        scripts = (POSTCODE_ORIGIN,) if path == "/checkout" else ()
        assert_shop_headers(response, portone=[], scripts=scripts)
        assert "Strict-Transport-Security" not in response.headers
        # An embedded sandbox: its scripts and window come from the shop's own origin.


def test_a_separate_sandbox_is_the_one_other_origin_allowed(app_factory):
    app = app_factory(PORTONE_API_BASE="http://127.0.0.1:5001")
    assert_shop_headers(app.test_client().get("/"), portone=["http://127.0.0.1:5001"])


def test_live_mode_allows_portone_and_asks_for_https(app_factory):
    app = app_factory(
        PORTONE_MODE="live",
        SECRET_KEY="a-real-secret",
        PUBLIC_BASE_URL="https://shop.example.com",
        PORTONE_IMP_CODE="imp12345678",
        PORTONE_API_KEY="live-key",
        PORTONE_API_SECRET="live-secret",
    )
    client = app.test_client()
    for path in ("/", "/no-such-page"):
        response = client.get(path, base_url="https://shop.example.com")
        assert_shop_headers(response, portone=["https://cdn.iamport.kr", "https://*.iamport.kr"])
        assert response.headers["Strict-Transport-Security"] == "max-age=31536000"


@pytest.mark.parametrize(
    ("path", "script"), [("/orders/{token}/pay", "pay.js"), ("/checkout", "checkout.js")]
)
def test_the_pages_that_open_kakao_pay_have_no_inline_script_or_handler(
    client, order_token, path, script
):
    """A strict policy blocks inline code: everything that runs comes from a file."""
    page = client.get(path.format(token=order_token)).get_data(as_text=True)
    assert script in page
    for tag in page.split("<script")[1:]:
        opening = tag.partition(">")[0]
        assert "src=" in opening or 'type="application/json"' in opening, tag
    assert " onclick=" not in page
    assert " style=" not in page


def test_the_sandboxs_window_stays_frameable(client):
    """The Kakao Pay window is the mounted sandbox's page in a frame of the payment page."""
    opened = client.post(
        f"{SANDBOX}/window/open",
        data={
            "mode": "overlay",
            "origin": "http://localhost",
            "request_id": secrets.token_hex(8),
            "imp_code": "imp00000000",
            "params": json.dumps(
                {"pg": "kakaopay", "merchant_uid": "ord_frame_1", "name": "차", "amount": 1000}
            ),
        },
        headers={"User-Agent": PHONE_UA},
        follow_redirects=True,
    )
    assert opened.status_code == 200
    assert "Approve" in opened.get_data(as_text=True)
    assert "frame-ancestors 'none'" not in opened.headers.get("Content-Security-Policy", "")
    assert opened.headers.get("X-Frame-Options") is None


def test_only_the_checkout_may_load_the_postcode_search_and_only_as_a_script(shop, client):
    shop.add_to_cart(PRODUCTS[0]["slug"])
    checkout, cart = client.get("/checkout"), client.get("/cart/")
    assert POSTCODE_ORIGIN in policy(checkout)["script-src"]
    assert f'data-postcode-script="{POSTCODE_ORIGIN}/' in checkout.get_data(as_text=True)
    assert not any(POSTCODE_ORIGIN in sources for sources in policy(cart).values())
    for directive in ("frame-src", "connect-src", "style-src", "img-src"):
        assert POSTCODE_ORIGIN not in policy(checkout)[directive]


def test_without_a_postcode_search_no_page_allows_it(app_factory):
    client = app_factory(POSTCODE_SCRIPT_URL=None).test_client()
    assert_shop_headers(client.get("/checkout"), portone=[])
