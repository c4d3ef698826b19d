"""Checkout over HTTP: the order the server prices, the prepare it registers, bad input."""

import io
import re
import warnings

import pytest
from sqlalchemy import func, select

from shop.extensions import db
from shop.models import Order, OrderStatus, Product
from tests.shop.actions import BUYER, CHOICES, ELSEWHERE, with_shipping


def csrf_from(client, path: str) -> str:
    """The page's CSRF token; empty before the visitor has a session (none is shown)."""
    page = client.get(path, follow_redirects=True).get_data(as_text=True)
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    return match.group(1) if match else ""


def product(app, slug=None) -> Product:
    with app.app_context():
        query = select(Product).where(Product.stock > 1).order_by(Product.id)
        found = db.session.scalars(query).all()
        return next(p for p in found if slug in (None, p.slug))


def add_to_cart(client, item: Product, quantity: int = 1) -> None:
    token = csrf_from(client, f"/products/{item.slug}")
    response = client.post(
        "/cart/add", data={"product_id": item.id, "quantity": quantity, "csrf_token": token}
    )
    assert response.status_code in (302, 303)


def checkout(client, **overrides):
    token = csrf_from(client, "/checkout")
    return client.post("/checkout", data={**BUYER, **CHOICES, **overrides, "csrf_token": token})


def orders(app) -> list[Order]:
    with app.app_context():
        return db.session.scalars(select(Order)).all()


def test_checkout_prices_the_order_and_prepares_it(app, client):
    first, second = product(app), product(app)
    add_to_cart(client, first, 2)
    response = checkout(client)
    assert response.status_code == 303
    [order] = orders(app)
    assert response.headers["Location"].endswith(f"/orders/{order.token}/pay")
    assert order.status == OrderStatus.PENDING
    assert order.amount == with_shipping(app, first.price * 2)
    assert len(order.merchant_uid) <= 40
    with app.test_request_context():
        prepared = app.extensions["portone"].get_prepared(order.merchant_uid)
    assert prepared["amount"] == order.amount
    assert second  # the catalog has more than one product to choose from


def test_payment_page_renders_the_sdk_call_with_server_values(app, client):
    item = product(app)
    add_to_cart(client, item, 3)
    location = checkout(client).headers["Location"]
    page = client.get(location).get_data(as_text=True)
    [order] = orders(app)
    params = re.search(r'id="payment-params">(.*?)</script>', page, re.S).group(1)
    assert '"pg": "kakaopay"' in params
    assert f'"amount": {with_shipping(app, item.price * 3)}' in params
    assert f'"merchant_uid": "{order.merchant_uid}"' in params
    assert '"m_redirect_url": "http://localhost/checkout/complete/mobile"' in params
    assert '"notice_url": "http://localhost/portone/webhook"' in params
    assert "/portone-sandbox/v1/iamport.js" in page
    assert "sandbox-secret" not in page


def test_two_products_are_named_first_item_and_count(app, client):
    with app.app_context():
        items = db.session.scalars(select(Product).where(Product.stock > 0)).all()[:3]
    for item in items:
        add_to_cart(client, item)
    checkout(client)
    [order] = orders(app)
    assert order.name.endswith(" 외 2건")
    assert len(order.name) <= 40
    assert order.amount == with_shipping(app, sum(item.price for item in items))


def test_empty_cart_goes_back_to_the_cart(client):
    response = client.get("/checkout")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/cart/")


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("buyer_name", "", "Enter your name."),
        ("buyer_email", "not-an-email", "Enter a valid email address."),
        ("buyer_tel", "12345", "Enter a phone number like 010-1234-5678."),
        ("buyer_addr", "", "Enter your delivery address."),
        ("buyer_postcode", "1234", "Enter the 5-digit postcode."),
        # Digits of other scripts are digits to \d, but not a Korean phone number or postcode.
        ("buyer_tel", "010-١٢٣٤-٥٦٧٨", "Enter a phone number like 010-1234-5678."),
        ("buyer_tel", "0１０-１２３４-５６７８", "Enter a phone number like 010-1234-5678."),
        ("buyer_postcode", "٠٦٢٣٦", "Enter the 5-digit postcode."),
        ("buyer_postcode", "０６２３６", "Enter the 5-digit postcode."),
        ("buyer_name", "가" * 61, "Field cannot be longer than 60 characters."),
    ],
)
def test_bad_buyer_details_are_refused_with_a_message(app, client, field, value, message):
    add_to_cart(client, product(app))
    response = checkout(client, **{field: value})
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert orders(app) == []


def test_checkout_without_csrf_token_from_elsewhere_is_refused(app, client):
    add_to_cart(client, product(app))
    response = client.post("/checkout", data=BUYER, headers=ELSEWHERE)
    assert response.status_code == 400
    assert orders(app) == []


@pytest.mark.parametrize(
    "body",
    [
        {"json": ["buyer_name"]},
        {"json": "김민지"},
        {"json": BUYER},
        {"data": {**BUYER, **CHOICES, "buyer_name": (io.BytesIO(b"\xff"), "name.txt")}},
    ],
    ids=["json-array", "json-string", "json-object", "file"],
)
def test_checkout_reads_only_the_form_fields(app, client, body):
    add_to_cart(client, product(app))
    token = csrf_from(client, "/checkout")
    response = client.post("/checkout", headers={"X-CSRFToken": token}, **body)
    assert response.status_code == 400
    assert "Enter your" in response.get_data(as_text=True)
    assert orders(app) == []


def test_more_than_in_stock_is_refused_at_checkout(app, client):
    item = product(app)
    add_to_cart(client, item, 2)
    with app.app_context():
        db.session.get(Product, item.id).stock = 1
        db.session.commit()
    response = checkout(client)
    assert response.status_code == 409
    assert "left in stock" in response.get_data(as_text=True)
    assert orders(app) == []


def test_buy_now_checks_out_one_product_and_keeps_the_cart(app, client):
    in_cart, bought = product(app), product(app)
    with app.app_context():
        bought = db.session.scalars(select(Product).where(Product.id != in_cart.id)).first()
    add_to_cart(client, in_cart)
    token = csrf_from(client, f"/products/{bought.slug}")
    response = client.post(
        "/checkout/buy-now", data={"product_id": bought.id, "quantity": "2", "csrf_token": token}
    )
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/checkout?buy=now")
    token = csrf_from(client, "/checkout?buy=now")
    client.post("/checkout?buy=now", data={**BUYER, **CHOICES, "csrf_token": token})
    with app.app_context():
        [order] = db.session.scalars(select(Order)).all()
        assert [(i.product_id, i.quantity) for i in order.items] == [(bought.id, 2)]
    assert in_cart.name in client.get("/cart/").get_data(as_text=True)


@pytest.mark.parametrize(
    ("form", "message"),
    [
        ({"product_id": "999999", "quantity": "1"}, "That product isn&#39;t available."),
        ({"product_id": "abc", "quantity": "1"}, "That product isn&#39;t available."),
        ({"quantity": "1"}, "No product was chosen."),
    ],
)
def test_buy_now_without_a_product_is_refused_with_a_message(app, client, form, message):
    item = product(app)
    token = csrf_from(client, f"/products/{item.slug}")
    response = client.post("/checkout/buy-now", data={**form, "csrf_token": token})
    assert response.status_code == 303
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert message in page
    assert orders(app) == []


@pytest.mark.parametrize("quantity", ["0", "100", "1.5", ""])
def test_buy_now_with_a_bad_quantity_shows_the_product_page_again(app, client, quantity):
    item = product(app)
    token = csrf_from(client, f"/products/{item.slug}")
    data = {"product_id": item.id, "quantity": quantity, "csrf_token": token}
    response = client.post("/checkout/buy-now", data=data)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert re.search(r"(Quantity must be a whole number|Enter a quantity) from 1 to 99\.", page)
    assert f'<h1 class="product-title" lang="ko">{item.name}</h1>' in page
    assert orders(app) == []


def test_buy_now_checkout_with_nothing_chosen_goes_to_the_cart(client):
    with warnings.catch_warnings():
        # SQLAlchemy warns that looking up a None id "may raise an error in a future release".
        warnings.simplefilter("error")
        response = client.get("/checkout?buy=now")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/cart/")


def test_unknown_order_pages_are_404(client):
    for path in ("/orders/nope", "/orders/nope/pay", "/orders/nope/status"):
        assert client.get(path).status_code == 404


def test_pay_page_of_a_paid_order_goes_to_the_order(app, client):
    add_to_cart(client, product(app))
    checkout(client)
    with app.app_context():
        order = db.session.scalar(select(Order))
        order.status = OrderStatus.PAID
        db.session.commit()
        token = order.token
    response = client.get(f"/orders/{token}/pay")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/orders/{token}")
    with app.app_context():
        assert db.session.scalar(select(func.count(Order.id))) == 1


# The checkout's script: the order placed, and the window's parameters, in one answer ------


def checkout_for_the_window(client, path: str = "/checkout", **overrides):
    """What checkout.js sends: the form, asking for JSON."""
    token = csrf_from(client, path)
    return client.post(
        path,
        data={**BUYER, **CHOICES, **overrides, "csrf_token": token},
        headers={"Accept": "application/json"},
    )


def test_the_checkout_answers_its_script_with_the_windows_parameters(app, client):
    item = product(app)
    add_to_cart(client, item, 2)
    answer = checkout_for_the_window(client)
    assert answer.status_code == 200
    [order] = orders(app)
    assert answer.json["pay_url"] == f"/orders/{order.token}/pay"
    assert answer.json["order_url"] == f"/orders/{order.token}"
    params = answer.json["params"]
    assert (params["pg"], params["merchant_uid"], params["amount"]) == (
        "kakaopay",
        order.merchant_uid,
        with_shipping(app, item.price * 2),
    )
    assert params["m_redirect_url"] == "http://localhost/checkout/complete/mobile"
    with app.test_request_context():
        prepared = app.extensions["portone"].get_prepared(order.merchant_uid)
    assert prepared["amount"] == order.amount


def test_the_checkout_page_loads_kakao_pay_for_its_script(app, client):
    add_to_cart(client, product(app))
    page = client.get("/checkout").get_data(as_text=True)
    assert "/portone-sandbox/v1/iamport.js" in page
    assert 'data-imp-code="imp00000000"' in page
    assert "Continue to Kakao Pay" in page


def test_bad_details_answer_the_script_with_the_errors_and_place_nothing(app, client):
    add_to_cart(client, product(app))
    answer = checkout_for_the_window(client, buyer_postcode="1234", buyer_name="")
    assert answer.status_code == 400
    assert set(answer.json["errors"]) == {"buyer_postcode", "buyer_name"}
    assert orders(app) == []


def test_an_order_that_cannot_be_placed_answers_the_script_with_why(app, client):
    item = product(app)
    add_to_cart(client, item, 2)
    with app.app_context():
        db.session.get(Product, item.id).stock = 1
        db.session.commit()
    answer = checkout_for_the_window(client)
    assert answer.status_code == 409
    assert "left in stock" in answer.json["error"]
    assert orders(app) == []


def test_an_empty_cart_answers_the_script_with_why(client):
    token = csrf_from(client, "/account/login")
    answer = client.post(
        "/checkout",
        data={**BUYER, **CHOICES, "csrf_token": token},
        headers={"Accept": "application/json"},
    )
    assert (answer.status_code, answer.json) == (409, {"error": "Your cart is empty."})


def test_the_pages_that_open_the_window_are_never_kept_by_the_browser(app, client):
    add_to_cart(client, product(app))
    form = client.get("/checkout")
    assert form.headers["Cache-Control"] == "no-store"
    pay = client.get(checkout(client).headers["Location"])
    assert (pay.status_code, pay.headers["Cache-Control"]) == (200, "no-store")
