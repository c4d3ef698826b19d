"""Every form is a Flask-WTF form rendered by ``render_field``; every POST needs its CSRF token."""

import re
from pathlib import Path

import pytest
from flask import url_for

from shop import project_dir
from shop.extensions import db
from shop.models import Product
from tests.shop.actions import BUYER, CHOICES

CSRF_REFUSED = "Your session expired or the form was tampered with"
# PortOne's webhook cannot carry a token; it trusts nothing but the imp_uid it re-fetches.
TOKENLESS = {"checkout.webhook"}

FIELD_WITH_ERROR = re.compile(r'<div class="field has-error">.*?</div>', re.S)
POST_FORM = re.compile(r'<form [^>]*method="post"[^>]*>.*?</form>', re.S)


def post_routes(app) -> list[tuple[str, str]]:
    """(endpoint, URL) of every route that takes a POST, its URL arguments filled in (with
    "1", which every converter takes)."""
    with app.test_request_context():
        return [
            (rule.endpoint, url_for(rule.endpoint, **dict.fromkeys(rule.arguments, "1")))
            for rule in app.url_map.iter_rules()
            if "POST" in rule.methods
        ]


# A POST without a token from another site, from a page that names no origin (or "null"), and
# from a client that names none at all.
FOREIGN = [
    {"Origin": "https://attacker.example"},
    {"Origin": "http://localhost.attacker.example"},
    {"Origin": "https://localhost"},
    {"Origin": "null"},
    {"Origin": "", "Referer": "https://attacker.example/localhost/"},
    {"Origin": ""},
]


@pytest.mark.parametrize("headers", FOREIGN)
def test_every_post_without_a_csrf_token_from_elsewhere_is_refused(app, client, headers):
    routes = [(endpoint, url) for endpoint, url in post_routes(app) if endpoint not in TOKENLESS]
    assert len(routes) >= 6
    for endpoint, url in routes:
        for body in ({"data": {}}, {"json": {}}):
            response = client.post(url, headers=headers, **body)
            assert response.status_code == 400, endpoint
            assert CSRF_REFUSED in response.get_data(as_text=True), endpoint


def test_a_wrong_token_is_refused_even_from_the_shop(shop):
    shop.add_to_cart("jeju-green-tea", 1)
    item = shop.product("icheon-rice")
    for data, headers in (
        ({"csrf_token": "forged"}, {}),
        ({}, {"X-CSRFToken": "forged"}),
    ):
        response = shop.client.post(
            "/cart/add", data={"product_id": item.id, "quantity": 1, **data}, headers=headers
        )
        assert response.status_code == 400
        assert CSRF_REFUSED in response.get_data(as_text=True)
    assert shop.cart() == {str(shop.product("jeju-green-tea").id): 1}


@pytest.mark.parametrize(
    "headers",
    [{}, {"Origin": "", "Referer": "http://localhost/products/jeju-green-tea"}],
    ids=["origin", "referer"],
)
def test_a_first_post_from_the_shops_own_page_needs_no_token(app, client, headers):
    """A first visit's pages carry no token (reading them starts no session); the browser's
    Origin, or its Referer where it sends no Origin, vouches for the POST instead."""
    page = client.get("/products/jeju-green-tea").get_data(as_text=True)
    assert "csrf_token" not in page
    with app.app_context():
        item = db.session.scalar(db.select(Product).filter_by(slug="jeju-green-tea"))
    response = client.post(
        "/cart/add", data={"product_id": item.id, "quantity": 2}, headers=headers
    )
    assert response.status_code == 303
    # From then on the session has a token, and every form carries it.
    page = client.get("/cart/").get_data(as_text=True)
    assert re.search(r'<input name="csrf_token" type="hidden" value="[^"]+">', page)


def test_only_the_webhook_takes_a_post_without_a_token(app, client):
    assert {endpoint for endpoint, _ in post_routes(app)} >= TOKENLESS
    response = client.post("/portone/webhook", json={})
    assert response.json == {"error": "imp_uid is required."}


@pytest.mark.parametrize(
    ("slug", "quantity", "error"),
    [
        ("jeju-green-tea", "0", "Quantity must be a whole number from 1 to 99."),
        ("jeju-green-tea", "abc", "Quantity must be a whole number from 1 to 99."),
        ("jeju-green-tea", "", "Enter a quantity from 1 to 99."),
        ("jirisan-honey", "4", "Only 3 of 지리산 야생화 꿀 500g left in stock."),
    ],
)
def test_the_product_form_shows_an_error_in_the_same_place_from_either_button(
    shop, slug, quantity, error
):
    item = shop.product(slug)
    form = {"product_id": item.id, "quantity": quantity}
    shown = []
    for path in ("/cart/add", "/checkout/buy-now"):
        response = shop.post(path, form)
        assert response.status_code == 400, path
        [field] = FIELD_WITH_ERROR.findall(response.get_data(as_text=True))
        shown.append(field)

    assert shown[0] == shown[1]
    assert '<label for="quantity">Quantity</label>' in shown[0]
    assert re.search(
        r'<input [^>]*aria-describedby="quantity-error"[^>]*aria-invalid="true"', shown[0]
    )
    assert f'<p class="field-error" id="quantity-error" role="alert">{error}</p>' in shown[0]
    assert shop.cart() == {}


def test_a_refused_cart_update_shows_its_error_under_that_line(shop):
    tea, rice = shop.product("jeju-green-tea"), shop.product("icheon-rice")
    shop.add_to_cart(tea.slug, 1)
    shop.add_to_cart(rice.slug, 2)

    response = shop.post("/cart/update", {"product_id": rice.id, "quantity": "1_0"})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    [field] = FIELD_WITH_ERROR.findall(page)
    assert f'id="quantity-{rice.id}"' in field
    assert f'aria-describedby="quantity-{rice.id}-error"' in field
    assert 'value="1_0"' in field
    assert f'<p class="field-error" id="quantity-{rice.id}-error" role="alert">' in field
    # The other line shows its own quantity, untouched.
    assert re.search(rf'<input [^>]*id="quantity-{tea.id}"[^>]*value="1"', page)
    assert shop.cart() == {str(tea.id): 1, str(rice.id): 2}


def test_checkout_errors_sit_under_their_fields(shop):
    shop.add_to_cart("jeju-green-tea", 1)
    response = shop.post(
        "/checkout", {**BUYER, **CHOICES, "buyer_email": "not-an-email", "buyer_tel": ""}
    )
    assert response.status_code == 400
    fields = FIELD_WITH_ERROR.findall(response.get_data(as_text=True))
    assert len(fields) == 2
    for field, (name, label, error) in zip(
        fields,
        [
            ("buyer_email", "Email", "Enter a valid email address."),
            ("buyer_tel", "Phone", "Enter your phone number."),
        ],
        strict=True,
    ):
        assert f'<label for="{name}">{label}</label>' in field
        assert re.search(rf'<input [^>]*aria-describedby="{name}-error"[^>]*id="{name}"', field)
        assert f'<p class="field-error" id="{name}-error" role="alert">{error}</p>' in field


def test_a_json_body_is_not_read_as_a_form(shop):
    item = shop.product("jeju-green-tea")
    response = shop.client.post(
        "/cart/add",
        json={"product_id": item.id, "quantity": 1},
        headers={"X-CSRFToken": shop.csrf_token()},
    )
    assert response.status_code == 303
    assert shop.cart() == {}


def test_every_form_on_every_page_carries_its_csrf_token(shop):
    placed = shop.place()
    declined = shop.pay(placed.merchant_uid, placed.amount, decision="decline")
    shop.redirect_door(declined)
    pages = [f"/products/{placed.slug}", "/cart/", "/checkout", f"/orders/{placed.token}"]
    shop.add_to_cart(placed.slug, 1)

    forms = []
    for path in pages:
        forms += POST_FORM.findall(shop.client.get(path).get_data(as_text=True))
    # Product page; cart update and remove; checkout; retry; every page's language switch.
    assert len(forms) == 5 + len(pages)
    for form in forms:
        assert re.search(r'<input name="csrf_token" type="hidden" value="[^"]+">', form), form


def test_no_template_types_a_csrf_input_by_hand():
    for template in Path(project_dir("templates")).rglob("*.html"):
        assert 'name="csrf_token"' not in template.read_text(), template
