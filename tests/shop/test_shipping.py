"""The shipping fee: 3,000원 an order, free from 50,000원 of products (the config's defaults),
in the cart, the checkout, the order's pages, the amount prepared with PortOne, and the amount
a payment is checked against."""

import re

import pytest

from shop.config import ConfigError
from shop.models import OrderStatus
from tests.shop.actions import BUYER, CHOICES, SANDBOX, ShopActions
from tests.shop.subscription_actions import PRICE, subscriber, subscription, window_params

SLUG = "jeju-green-tea"


def priced_at(shop: ShopActions, price: int) -> None:
    shop.update_product(SLUG, price=price, stock=50)


def prepared_amount(shop: ShopActions, merchant_uid: str) -> int:
    with shop.app.test_request_context():
        return shop.app.extensions["portone"].get_prepared(merchant_uid)["amount"]


@pytest.mark.parametrize(
    ("price", "quantity", "fee", "amount"),
    [
        (49_999, 1, 3_000, 52_999),  # just below: the fee is added
        (25_000, 2, 0, 50_000),  # exactly at the free-shipping amount: free
        (25_000, 3, 0, 75_000),  # above: free
        (7_000, 1, 3_000, 10_000),
    ],
)
def test_the_order_and_the_prepared_amount_include_the_fee_below_the_free_amount(
    shop, price, quantity, fee, amount
):
    priced_at(shop, price)
    placed = shop.place(quantity, slug=SLUG)
    order = shop.order(placed.merchant_uid)
    assert (order.amount, order.shipping_fee, order.subtotal) == (amount, fee, price * quantity)
    assert prepared_amount(shop, placed.merchant_uid) == amount


def test_the_checkouts_script_gets_the_amount_with_the_fee(shop):
    priced_at(shop, 20_000)
    shop.add_to_cart(SLUG, 1)
    answer = shop.post("/checkout", {**BUYER, **CHOICES}, headers={"Accept": "application/json"})
    assert answer.json["params"]["amount"] == 23_000


def test_paying_the_full_amount_with_the_fee_pays_the_order(shop):
    priced_at(shop, 20_000)
    placed = shop.place(1, slug=SLUG)
    query = shop.pay(placed.merchant_uid, 23_000)
    assert shop.callback(query["imp_uid"]).json["status"] == OrderStatus.PAID


def test_portone_refuses_a_payment_of_the_products_without_the_fee(shop):
    priced_at(shop, 20_000)
    placed = shop.place(1, slug=SLUG)
    query = shop.pay(placed.merchant_uid, 20_000)
    # The window never opens: PortOne holds 23,000원 for the order.
    assert (query["imp_success"], "imp_uid" in query) == ("false", False)
    assert "23,000" in query["error_msg"]
    assert shop.order(placed.merchant_uid).status == OrderStatus.PENDING


def test_a_payment_without_the_fee_that_gets_past_portone_is_refunded(shop):
    priced_at(shop, 20_000)
    placed = shop.place(1, slug=SLUG)
    # As if the amount had not been prepared and a tampered page paid the products only.
    with shop.app.test_request_context():
        token = shop.app.extensions["portone"].access_token()
    shop.client.put(
        f"{SANDBOX}/payments/prepare",
        json={"merchant_uid": placed.merchant_uid, "amount": 20_000},
        headers={"Authorization": token},
    )
    query = shop.pay(placed.merchant_uid, 20_000)
    assert shop.callback(query["imp_uid"]).json["status"] == OrderStatus.FORGERY
    assert shop.sandbox_payment(query["imp_uid"])["status"] == "cancelled"


def test_the_checkout_shows_the_products_the_fee_and_the_total(client, shop):
    priced_at(shop, 20_000)
    shop.add_to_cart(SLUG, 1)
    page = client.get("/checkout").get_data(as_text=True)
    assert re.search(r'class="num shipping-fee">3,000원<', page)
    assert re.search(r'class="num total">23,000원<', page)
    assert "Shipping is free from 50,000원: add 30,000원 more to get it." in page


def test_the_cart_says_when_the_shipping_is_free(client, shop):
    priced_at(shop, 25_000)
    shop.add_to_cart(SLUG, 2)
    page = client.get("/cart/").get_data(as_text=True)
    assert re.search(r'class="cart-shipping">Free<', page)
    assert re.search(r'class="cart-total">50,000원<', page)
    assert "Free shipping on this order." in page


def test_the_order_and_payment_pages_show_the_fee_in_the_total(client, shop):
    priced_at(shop, 20_000)
    placed = shop.place(1, slug=SLUG)
    pay_page = client.get(f"/orders/{placed.token}/pay").get_data(as_text=True)
    assert "Pay 23,000원 with Kakao Pay" in pay_page
    assert re.search(r'class="num shipping-fee">3,000원<', pay_page)
    query = shop.pay(placed.merchant_uid, 23_000)
    shop.callback(query["imp_uid"])
    order_page = client.get(f"/orders/{placed.token}").get_data(as_text=True)
    assert re.search(r'class="num shipping-fee">3,000원<', order_page)
    assert re.search(r'class="num total">23,000원<', order_page)


def test_the_rule_comes_from_the_config(app_factory):
    app = app_factory(SHIPPING_FEE="2500", FREE_SHIPPING_FROM="30000")
    shop = ShopActions(app, app.test_client())
    priced_at(shop, 29_000)
    below = shop.place(1, slug=SLUG)
    assert shop.order(below.merchant_uid).amount == 31_500
    priced_at(shop, 30_000)
    at = shop.place(1, slug=SLUG)
    assert shop.order(at.merchant_uid).shipping_fee == 0


@pytest.mark.parametrize("value", ["-1", "abc", "3000.5", -500, 2.5, True])
def test_a_fee_that_is_not_whole_won_is_refused(app_factory, value):
    with pytest.raises(ConfigError, match="SHIPPING_FEE must be a whole number of won"):
        app_factory(SHIPPING_FEE=value)


def test_a_subscriptions_price_includes_its_delivery(app):
    # 19,900원 a month, under the free-shipping amount, and still charged as the plan's price.
    buyer = subscriber(app)
    assert window_params(buyer).json["params"]["amount"] == PRICE
    first = subscription(app).periods[0].order
    assert (first.amount, first.shipping_fee) == (PRICE, 0)
