"""A guest finds an order again by its order number and e-mail, from any browser; a miss says
nothing about the order, and misses are limited."""

import pytest

from shop.checkout.lookup import NOT_FOUND
from tests.shop.actions import BUYER, ELSEWHERE, Placed, ShopActions


@pytest.fixture
def placed(shop) -> Placed:
    return shop.place()


@pytest.fixture
def other_browser(app) -> ShopActions:
    """The buyer again, on another device: no session, only the order number and the e-mail."""
    return ShopActions(app, app.test_client())


def find(browser: ShopActions, merchant_uid: str, email: str):
    return browser.post("/orders/find", {"merchant_uid": merchant_uid, "email": email})


def test_the_order_number_and_email_open_the_order(placed, other_browser):
    answer = find(other_browser, f" {placed.merchant_uid} ", BUYER["buyer_email"].upper())
    assert (answer.status_code, answer.headers["Location"]) == (303, f"/orders/{placed.token}")
    page = other_browser.client.get(answer.headers["Location"]).get_data(as_text=True)
    assert placed.merchant_uid in page
    # From now on this browser is the order's too: its doors may send it there.
    query = other_browser.pay(placed.merchant_uid, placed.amount)
    assert other_browser.callback(query["imp_uid"]).json["redirect"] == f"/orders/{placed.token}"


def test_a_wrong_email_and_an_unknown_number_get_the_same_answer(placed, other_browser):
    wrong_email = find(other_browser, placed.merchant_uid, "someone@example.com")
    unknown = find(other_browser, "ord_20260101_0000000000000000", BUYER["buyer_email"])
    assert wrong_email.status_code == unknown.status_code == 404
    for answer in (wrong_email, unknown):
        page = answer.get_data(as_text=True)
        assert str(NOT_FOUND) in page
        assert placed.token not in page
        assert not any(value in page for value in BUYER.values() if value != BUYER["buyer_email"])
    assert "Location" not in wrong_email.headers


@pytest.mark.parametrize(
    ("form", "message"),
    [
        ({"merchant_uid": "", "email": BUYER["buyer_email"]}, "Enter your order number."),
        ({"merchant_uid": "ord_1", "email": "not-an-email"}, "Enter a valid email address."),
        ({"merchant_uid": "x" * 41, "email": BUYER["buyer_email"]}, "Field cannot be longer"),
    ],
)
def test_a_form_that_cannot_be_looked_up_is_refused_with_a_message(shop, form, message):
    answer = shop.post("/orders/find", form)
    assert answer.status_code == 400
    assert message in answer.get_data(as_text=True)


def test_the_form_from_elsewhere_needs_its_csrf_token(placed, other_browser):
    answer = other_browser.client.post(
        "/orders/find",
        data={"merchant_uid": placed.merchant_uid, "email": BUYER["buyer_email"]},
        headers=ELSEWHERE,
    )
    assert answer.status_code == 400


def test_misses_are_limited_and_finding_the_order_is_not_counted(app_factory):
    app = app_factory(ORDER_LOOKUP_FAILURES_PER_ADDRESS="3 per 15 minutes")
    buyer = ShopActions(app, app.test_client())
    placed = buyer.place()
    guesser = ShopActions(app, app.test_client())
    for _ in range(5):
        assert find(buyer, placed.merchant_uid, BUYER["buyer_email"]).status_code == 303
    for _ in range(3):
        assert find(guesser, placed.merchant_uid, "guess@example.com").status_code == 404
    # The right e-mail no longer helps from this address, for a while.
    refused = find(guesser, placed.merchant_uid, BUYER["buyer_email"])
    assert refused.status_code == 429
    assert "Too many orders not found" in refused.get_data(as_text=True)


def test_the_footer_links_to_the_lookup(shop):
    page = shop.client.get("/").get_data(as_text=True)
    assert 'href="/orders/find"' in page
    form = shop.client.get("/orders/find")
    assert form.status_code == 200
    assert "Order number" in form.get_data(as_text=True)
