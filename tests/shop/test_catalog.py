"""The product list, product pages, the ``won`` filter and the set-up commands."""

import re
from pathlib import Path

import pytest
from sqlalchemy import func, select

from shop.catalog.seed import PRODUCTS
from shop.extensions import db
from shop.format import won
from shop.models import Product

STATIC = Path(__file__).resolve().parents[2] / "static"


def test_product_list_shows_every_product_with_its_price(client):
    page = client.get("/").get_data(as_text=True)
    assert len(PRODUCTS) >= 8
    for fields in PRODUCTS:
        assert fields["name"] in page
        assert f'href="/products/{fields["slug"]}"' in page
    assert "14,000원" in page
    assert "9,500원" in page


def test_every_image_is_a_local_static_file(client):
    for path in ["/", *(f"/products/{fields['slug']}" for fields in PRODUCTS)]:
        page = client.get(path).get_data(as_text=True)
        sources = re.findall(r'<img[^>]+src="([^"]+)"', page)
        assert sources, path
        for src in sources:
            assert src.startswith("/static/"), src
            assert (STATIC / src.removeprefix("/static/")).is_file(), src


def test_pages_load_nothing_from_another_host(client):
    for path in ("/", "/products/jeju-green-tea", "/cart/", "/no-such-page"):
        page = client.get(path).get_data(as_text=True)
        assert not re.search(r'(src|href)="(https?:)?//', page), path


def test_stylesheet_is_served(client):
    response = client.get("/static/css/shop.css")
    assert response.status_code == 200
    assert ".btn-kakao" in response.get_data(as_text=True)


def test_out_of_stock_is_shown_in_the_list(client, shop):
    assert shop.product("indigo-handkerchief").stock == 0
    page = client.get("/").get_data(as_text=True)
    card = re.search(r'<li class="product-card is-soldout">(.*?)</li>', page, re.S).group(1)
    assert "쪽빛 순면 손수건" in card
    assert "Out of stock" in card


def test_detail_page_offers_cart_and_kakao_pay(client, shop):
    item = shop.product("jeju-green-tea")
    page = client.get("/products/jeju-green-tea").get_data(as_text=True)
    assert f'<h1 class="product-title" lang="ko">{item.name}</h1>' in page
    assert item.description in page
    assert "14,000원" in page
    assert '<label for="quantity">Quantity</label>' in page
    purchase = re.search(r'<form[^>]*action="/cart/add"[^>]*>(.*?)</form>', page, re.S)
    assert purchase, "no purchase form"
    form = purchase.group(0)
    assert 'method="post"' in form
    assert re.search(rf'<input [^>]*name="product_id"[^>]*value="{item.id}"', form)
    assert 'name="quantity"' in form
    # No session yet, so no token: the browser's Origin vouches for the POST (shop/csrf.py).
    assert 'name="csrf_token"' not in form
    assert "Add to cart" in form
    # "Buy now" submits the same form, quantity included, to checkout.
    buy_now = re.search(r'<button[^>]*formaction="/checkout/buy-now"[^>]*>([^<]*)</button>', form)
    assert buy_now, "no Buy now button"
    assert buy_now.group(1) == "Buy now with Kakao Pay"
    assert "btn-kakao" in buy_now.group(0)


def test_detail_quantity_field_is_limited_by_stock(client, shop):
    assert shop.product("jirisan-honey").stock == 3
    page = client.get("/products/jirisan-honey").get_data(as_text=True)
    assert 'max="3"' in page
    assert "Only 3 left" in page


def test_out_of_stock_product_cannot_be_added(client):
    page = client.get("/products/indigo-handkerchief").get_data(as_text=True)
    assert "Out of stock" in page
    assert "Add to cart" not in page
    assert "Buy now with Kakao Pay" not in page


def test_unknown_product_is_a_404_page(client):
    response = client.get("/products/no-such-thing")
    assert response.status_code == 404
    page = response.get_data(as_text=True)
    assert "Page not found" in page
    assert "We couldn&#39;t find that product" in page
    assert "Traceback" not in page


def test_layout_has_nav_footer_and_sandbox_ribbon(client):
    page = client.get("/").get_data(as_text=True)
    assert "소소상점" in page
    assert "Soso Market" in page
    assert 'href="/cart/"' in page
    assert (
        "Payments are processed by <strong>Kakao Pay</strong> via <strong>PortOne</strong>" in page
    )
    assert "Sandbox mode — no real money moves" in page
    assert 'href="/portone-sandbox/"' in page


def test_live_mode_has_no_sandbox_ribbon(app_factory):
    app = app_factory(
        PORTONE_MODE="live",
        PUBLIC_BASE_URL="https://shop.example.com",
        PORTONE_IMP_CODE="imp12345678",
        PORTONE_API_KEY="live-key",
        PORTONE_API_SECRET="live-secret",
    )
    page = app.test_client().get("/").get_data(as_text=True)
    assert "Payments are processed by" in page
    assert "Sandbox mode" not in page


def test_separate_sandbox_ribbon_links_to_its_dashboard(app_factory):
    app = app_factory(PORTONE_API_BASE="http://127.0.0.1:5001")
    page = app.test_client().get("/").get_data(as_text=True)
    assert 'href="http://127.0.0.1:5001/"' in page


@pytest.mark.parametrize(
    ("amount", "shown"),
    [
        (14000, "14,000원"),
        (0, "0원"),
        (9500, "9,500원"),
        (1234567, "1,234,567원"),
        (-500, "-500원"),
    ],
)
def test_won_formats_integer_krw(amount, shown):
    assert won(amount) == shown


@pytest.mark.parametrize("amount", [1.5, "14000", None, True])
def test_won_refuses_what_is_not_an_integer_amount(amount):
    with pytest.raises(TypeError):
        won(amount)


def test_won_is_a_template_filter(app):
    with app.app_context():
        assert app.jinja_env.from_string("{{ 14000|won }}").render() == "14,000원"


def test_seed_is_idempotent(app_factory):
    app = app_factory(seed=False)
    runner = app.test_cli_runner()
    first = runner.invoke(args=["seed"])
    assert first.exit_code == 0, first.output
    assert f"Seeded {len(PRODUCTS)} products" in first.output
    second = runner.invoke(args=["seed"])
    assert second.exit_code == 0, second.output
    assert "nothing seeded" in second.output
    with app.app_context():
        assert db.session.scalar(select(func.count(Product.id))) == len(PRODUCTS)


def test_init_db_creates_tables_without_touching_rows(runner, app):
    result = runner.invoke(args=["init-db"])
    assert result.exit_code == 0, result.output
    assert "Tables ready" in result.output
    with app.app_context():
        assert db.session.scalar(select(func.count(Product.id))) == len(PRODUCTS)


def test_commands_never_print_a_database_password(app_factory):
    app = app_factory(seed=False)
    app.config["SQLALCHEMY_DATABASE_URI"] = "postgresql://shop:hunter2@db.invalid/shop"
    with app.app_context():
        from shop.commands import _database_name

        assert "hunter2" not in _database_name()
