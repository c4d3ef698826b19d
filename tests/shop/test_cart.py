"""The session cart over HTTP: adding, changing, removing, totals, and every bad quantity."""

import re

import pytest

from shop.cart import CartLine, cart_lines, cart_total, clear_cart, parse_quantity
from shop.extensions import db
from shop.models import Product
from tests.shop.actions import ELSEWHERE

BAD_QUANTITIES = ["0", "-1", "100", "abc", "", "1.5", " ", "1e2", "+3", "²", "٣", "9" * 5000]


def cart_page(client) -> str:
    response = client.get("/cart/")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def nav_count(page: str) -> int:
    return int(re.search(r'class="cart-count"[^>]*>(\d+)<', page).group(1))


def test_empty_cart(client):
    page = cart_page(client)
    assert "Your cart is empty." in page
    assert nav_count(page) == 0


def test_add_puts_the_product_in_the_cart(client, shop):
    item = shop.product("jeju-green-tea")
    response = shop.add_to_cart("jeju-green-tea", 2)
    assert response.status_code == 303
    assert response.headers["Location"] == "/cart/"
    assert shop.cart() == {str(item.id): 2}
    page = client.get("/cart/").get_data(as_text=True)
    assert "Added 2 × 제주 유기농 녹차 to your cart." in page
    assert "28,000원" in page
    assert nav_count(page) == 2
    assert 'href="/checkout"' in page


def test_adding_again_adds_up(shop):
    shop.add_to_cart("jeju-green-tea", 2)
    shop.add_to_cart("jeju-green-tea", 3)
    assert shop.cart() == {str(shop.product("jeju-green-tea").id): 5}


def test_totals_are_computed_from_current_prices(client, shop):
    shop.add_to_cart("jeju-green-tea", 2)
    shop.add_to_cart("hanji-notebook", 3)
    page = cart_page(client)
    assert "28,000원" in page
    assert "28,500원" in page
    assert re.search(r'class="cart-total">56,500원<', page)
    assert nav_count(page) == 5

    shop.update_product("jeju-green-tea", price=15_000)
    page = cart_page(client)
    assert "30,000원" in page
    assert re.search(r'class="cart-total">58,500원<', page)


def test_update_sets_the_quantity(client, shop):
    item = shop.product("jeju-hallabong")
    shop.add_to_cart("jeju-hallabong", 1)
    response = shop.post("/cart/update", {"product_id": item.id, "quantity": "4"})
    assert response.status_code == 303
    assert shop.cart() == {str(item.id): 4}
    page = cart_page(client)
    assert "116,000원" in page
    assert "제주 한라봉 2kg quantity updated." in page


def test_remove_takes_the_product_out(client, shop):
    tea, rice = shop.product("jeju-green-tea"), shop.product("icheon-rice")
    shop.add_to_cart("jeju-green-tea", 1)
    shop.add_to_cart("icheon-rice", 1)
    response = shop.post("/cart/remove", {"product_id": tea.id})
    assert response.status_code == 303
    assert shop.cart() == {str(rice.id): 1}
    page = cart_page(client)
    assert "Removed 제주 유기농 녹차 from your cart." in page
    # Under the free-shipping amount (50,000원): the 3,000원 fee is added.
    assert re.search(r'class="cart-subtotal">32,000원<', page)
    assert re.search(r'class="cart-shipping">3,000원<', page)
    assert re.search(r'class="cart-total">35,000원<', page)


@pytest.mark.parametrize("quantity", BAD_QUANTITIES)
def test_add_refuses_a_bad_quantity(client, shop, quantity):
    shop.add_to_cart("jeju-green-tea", 1)
    before = shop.cart()
    response = shop.add_to_cart("jeju-green-tea", quantity)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert re.search(r"(Quantity must be a whole number|Enter a quantity) from 1 to 99\.", page)
    assert 'role="alert"' in page
    assert 'aria-invalid="true"' in page
    assert shop.cart() == before


@pytest.mark.parametrize("quantity", BAD_QUANTITIES)
def test_update_refuses_a_bad_quantity(shop, quantity):
    item = shop.product("jeju-green-tea")
    shop.add_to_cart("jeju-green-tea", 2)
    response = shop.post("/cart/update", {"product_id": item.id, "quantity": quantity})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert re.search(r"(Quantity must be a whole number|Enter a quantity) from 1 to 99\.", page)
    assert 'role="alert"' in page
    assert shop.cart() == {str(item.id): 2}


def test_add_without_a_quantity_is_refused(shop):
    item = shop.product("jeju-green-tea")
    response = shop.post("/cart/add", {"product_id": item.id})
    assert response.status_code == 400
    assert "Enter a quantity from 1 to 99." in response.get_data(as_text=True)
    assert shop.cart() == {}


@pytest.mark.parametrize(
    ("form", "message"),
    [
        ({"quantity": "1"}, "No product was chosen."),
        ({"product_id": "", "quantity": "1"}, "No product was chosen."),
        ({"product_id": "999999", "quantity": "1"}, "That product isn&#39;t available."),
        ({"product_id": "abc", "quantity": "1"}, "That product isn&#39;t available."),
        ({"product_id": "-1", "quantity": "1"}, "That product isn&#39;t available."),
    ],
)
def test_add_refuses_a_missing_or_unknown_product(shop, form, message):
    shop.add_to_cart("hanji-notebook", 1)
    before = shop.cart()
    response = shop.post("/cart/add", form, follow_redirects=True)
    assert response.status_code == 200
    assert response.request.path == "/"
    page = response.get_data(as_text=True)
    assert message in page
    assert 'class="flash flash-error" role="alert"' in page
    assert shop.cart() == before


@pytest.mark.parametrize("path", ["/cart/update", "/cart/remove"])
@pytest.mark.parametrize("product_id", [None, "", "abc", "999999", "TEA_NOT_IN_CART"])
def test_changing_a_product_not_in_the_cart_is_refused(shop, path, product_id):
    shop.add_to_cart("hanji-notebook", 1)
    before = shop.cart()
    if product_id == "TEA_NOT_IN_CART":
        product_id = shop.product("jeju-green-tea").id
    form = {"quantity": "2"} if product_id is None else {"product_id": product_id, "quantity": "2"}
    response = shop.post(path, form, follow_redirects=True)
    assert response.status_code == 200
    assert response.request.path == "/cart/"
    assert "That product isn&#39;t in your cart." in response.get_data(as_text=True)
    assert shop.cart() == before


def test_add_refuses_more_than_in_stock(shop):
    assert shop.product("jirisan-honey").stock == 3
    response = shop.add_to_cart("jirisan-honey", 4)
    assert response.status_code == 400
    assert "Only 3 of 지리산 야생화 꿀 500g left in stock." in response.get_data(as_text=True)
    assert shop.cart() == {}


def test_add_counts_what_is_already_in_the_cart_against_stock(shop):
    item = shop.product("jirisan-honey")
    shop.add_to_cart("jirisan-honey", 2)
    response = shop.add_to_cart("jirisan-honey", 2)
    assert response.status_code == 400
    assert "and 2 already in your cart" in response.get_data(as_text=True)
    assert shop.cart() == {str(item.id): 2}


def test_add_refuses_more_than_99_in_total(shop):
    item = shop.product("hanji-notebook")
    shop.update_product("hanji-notebook", stock=500)
    shop.add_to_cart("hanji-notebook", 60)
    response = shop.add_to_cart("hanji-notebook", 40)
    assert response.status_code == 400
    assert "at most 99 of one product" in response.get_data(as_text=True)
    assert shop.cart() == {str(item.id): 60}


def test_update_refuses_more_than_in_stock(shop):
    item = shop.product("jirisan-honey")
    shop.add_to_cart("jirisan-honey", 1)
    response = shop.post("/cart/update", {"product_id": item.id, "quantity": "9"})
    assert response.status_code == 400
    assert "Only 3 of 지리산 야생화 꿀 500g left in stock." in response.get_data(as_text=True)
    assert shop.cart() == {str(item.id): 1}


def test_out_of_stock_product_cannot_be_added(shop):
    item = shop.product("indigo-handkerchief")
    response = shop.post("/cart/add", {"product_id": item.id, "quantity": "1"})
    assert response.status_code == 400
    assert "is out of stock" in response.get_data(as_text=True)
    assert shop.cart() == {}


def test_cart_warns_when_stock_fell_below_the_quantity(client, shop):
    shop.add_to_cart("jeju-green-tea", 5)
    shop.update_product("jeju-green-tea", stock=2)
    assert "Only 2 left: please lower the quantity." in cart_page(client)


def test_a_deleted_product_drops_out_of_the_cart(app, client, shop):
    tea = shop.product("jeju-green-tea")
    shop.add_to_cart("jeju-green-tea", 1)
    shop.add_to_cart("icheon-rice", 2)
    with app.app_context():
        db.session.delete(db.session.get(Product, tea.id))
        db.session.commit()
    page = cart_page(client)
    assert "제주 유기농 녹차" not in page
    assert nav_count(page) == 2
    assert shop.cart() == {str(shop.product("icheon-rice").id): 2}


def test_cart_helpers_for_the_checkout(client, shop):
    shop.add_to_cart("jeju-green-tea", 2)
    shop.add_to_cart("hanji-notebook", 1)
    with client:
        client.get("/")
        lines = cart_lines()
        assert all(isinstance(line, CartLine) for line in lines)
        assert [(line.product.slug, line.quantity, line.line_total) for line in lines] == [
            ("jeju-green-tea", 2, 28_000),
            ("hanji-notebook", 1, 9_500),
        ]
        assert cart_total(lines) == 37_500
        clear_cart()
        assert cart_lines() == []
        assert cart_total([]) == 0


@pytest.mark.parametrize(("value", "expected"), [("1", 1), (" 7 ", 7), ("99", 99), (3, 3)])
def test_parse_quantity_accepts_whole_numbers_from_1_to_99(value, expected):
    assert parse_quantity(value) == expected


@pytest.mark.parametrize("value", [*BAD_QUANTITIES, None, 0, 100, True, 2.0])
def test_parse_quantity_raises_a_readable_error(value):
    with pytest.raises(ValueError, match=r"from 1 to 99\.$"):
        parse_quantity(value)


def test_cart_forms_from_elsewhere_need_a_csrf_token(client, shop):
    item = shop.product("jeju-green-tea")
    response = client.post(
        "/cart/add", data={"product_id": item.id, "quantity": "1"}, headers=ELSEWHERE
    )
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Your session expired or the form was tampered with; please try again." in page
    assert shop.cart() == {}


def test_cart_forms_only_accept_post(client):
    for path in ("/cart/add", "/cart/update", "/cart/remove"):
        assert client.get(path).status_code == 405
