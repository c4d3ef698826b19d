"""One-click buying with the saved Kakao Pay, and the product page's own Kakao Pay window."""

import re
import threading

import pytest
from sqlalchemy import select

from shop.extensions import db
from shop.models import Order, OrderStatus, PaymentEvent
from tests.postgres import POSTGRES_URL
from tests.shop.account_actions import (
    PURCHASE_KEY,
    account,
    customer,
    keys,
    portone_api,
    purchase_form,
    save_details,
    save_kakao_pay,
    sign_up,
)
from tests.shop.actions import ShopActions, with_shipping
from tests.shop.apps import make_app

TEA = "jeju-green-tea"
ONE_CLICK = "/account/buy/saved-kakao-pay"
WINDOW = "/account/buy/kakao-pay"


@pytest.fixture
def buyer(shop) -> ShopActions:
    """Signed up, delivery details saved, Kakao Pay (a card) saved."""
    customer(shop)
    save_kakao_pay(shop, pay_with="card")
    return shop


def orders(app) -> list[Order]:
    with app.app_context():
        found = db.session.scalars(select(Order).order_by(Order.id)).all()
        db.session.expunge_all()
        return found


def charges(app, customer_uid: str) -> list[dict]:
    """Every payment PortOne made with the key (``GET /subscribe/customers/{uid}/payments``)."""
    answer = portone_api(app, "GET", f"/subscribe/customers/{customer_uid}/payments")
    return [p for p in answer.json["response"]["list"] if p["amount"] > 0]


def test_one_click_charges_the_saved_key_and_the_order_is_paid(buyer):
    stock = buyer.product(TEA).stock
    response = buyer.post(ONE_CLICK, purchase_form(buyer, TEA, quantity=2))
    [order] = orders(buyer.app)
    assert (response.status_code, response.headers["Location"]) == (303, f"/orders/{order.token}")
    assert order.status == OrderStatus.PAID
    assert order.amount == with_shipping(buyer.app, buyer.product(TEA).price * 2)
    assert order.user_id == account(buyer.app).id
    assert (order.buyer_addr, order.buyer_tel) == (
        "서울특별시 강남구 테헤란로 152",
        "010-1234-5678",
    )
    assert order.imp_uid.startswith("imps_")
    assert buyer.product(TEA).stock == stock - 2

    [key] = keys(buyer.app)
    [charge] = charges(buyer.app, key.customer_uid)
    assert (charge["merchant_uid"], charge["amount"]) == (order.merchant_uid, order.amount)
    assert charge["customer_uid_usage"] == "payment"
    with buyer.app.app_context():
        first = db.session.scalars(select(PaymentEvent).order_by(PaymentEvent.id)).first()
    assert (first.source, first.outcome) == ("again", "paid")
    page = buyer.client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Thank you! Your order is paid." in page


def test_the_product_page_offers_one_click_only_with_a_key_and_details(shop):
    def offered() -> bool:
        return "Buy now with saved Kakao Pay" in shop.client.get(f"/products/{TEA}").get_data(
            as_text=True
        )

    assert not offered()
    sign_up(shop)
    save_kakao_pay(shop)
    assert not offered()
    save_details(shop)
    assert offered()


def test_the_same_form_sent_again_charges_once(buyer):
    form = purchase_form(buyer, TEA)
    first = buyer.post(ONE_CLICK, form)
    again = buyer.post(ONE_CLICK, form)
    assert again.headers["Location"] == first.headers["Location"]
    [order] = orders(buyer.app)
    assert order.status == OrderStatus.PAID
    assert len(charges(buyer.app, keys(buyer.app)[0].customer_uid)) == 1


def test_each_product_page_is_a_new_purchase(buyer):
    buyer.post(ONE_CLICK, purchase_form(buyer, TEA))
    buyer.post(ONE_CLICK, purchase_form(buyer, TEA))
    assert [o.status for o in orders(buyer.app)] == [OrderStatus.PAID, OrderStatus.PAID]


@pytest.mark.parametrize(
    "database", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def test_concurrent_submissions_charge_once(tmp_path, database):
    config = {"DATABASE_URL": POSTGRES_URL} if database == "postgres" else {}
    app = make_app(tmp_path, seed=False, **config)
    with app.app_context():
        db.drop_all()
        db.create_all()
        from shop.catalog.seed import seed_catalog

        seed_catalog()
    buyer = customer(ShopActions(app, app.test_client()))
    save_kakao_pay(buyer, pay_with="card")
    stock = buyer.product(TEA).stock
    form = purchase_form(buyer, TEA, quantity=3)

    tabs = 8
    start = threading.Barrier(tabs)
    locations: list[str] = []

    def submit():
        client = app.test_client()
        # The same browser's session, in another tab.
        client.set_cookie("session", buyer.client.get_cookie("session").value)
        token = ShopActions(app, client).csrf_token()
        start.wait()
        response = client.post(ONE_CLICK, data={**form, "csrf_token": token})
        locations.append(response.headers.get("Location"))

    threads = [threading.Thread(target=submit) for _ in range(tabs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)

    [order] = orders(app)
    assert locations == [f"/orders/{order.token}"] * tabs
    assert len(charges(app, keys(app)[0].customer_uid)) == 1
    with app.app_context():
        status = db.session.get(Order, order.id).status
    # The one charge is verified by the request that made it, before it answers.
    assert status == OrderStatus.PAID
    assert buyer.product(TEA).stock == stock - 3
    with app.app_context():
        db.drop_all()


def test_a_declined_key_leaves_a_failed_order_with_the_reason_and_the_window_instead(shop):
    buyer = customer(shop)
    save_kakao_pay(buyer, pay_with="card", decline_charges=True)
    stock = buyer.product(TEA).stock
    response = buyer.post(ONE_CLICK, purchase_form(buyer, TEA))
    [failed] = orders(buyer.app)
    assert failed.status == OrderStatus.FAILED
    assert failed.fail_reason == "잔액이 부족합니다."
    page = buyer.client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Kakao Pay said: 잔액이 부족합니다." in page
    assert "Pay in the Kakao Pay window" in page
    assert buyer.product(TEA).stock == stock

    # The same order, paid in the window: PortOne opens one for a merchant_uid whose charge failed.
    retry = buyer.post(f"/orders/{failed.token}/retry", {})
    assert retry.headers["Location"] == f"/orders/{failed.token}/pay"
    pay_page = buyer.client.get(retry.headers["Location"]).get_data(as_text=True)
    assert "did not approve the payment: 잔액이 부족합니다. Nothing was charged." in pay_page
    query = buyer.decide_in_window(
        {
            "pg": "kakaopay",
            "merchant_uid": failed.merchant_uid,
            "amount": failed.amount,
            "name": failed.name,
            "m_redirect_url": "http://localhost/checkout/complete/mobile",
        },
    )
    buyer.client.get("/checkout/complete/mobile", query_string=query)
    [paid] = orders(buyer.app)
    assert (paid.merchant_uid, paid.status) == (failed.merchant_uid, OrderStatus.PAID)


def test_a_charge_portone_refuses_sends_the_buyer_to_the_window(buyer):
    # The key is gone at PortOne (deleted from its console, say) but still saved here.
    [key] = keys(buyer.app)
    portone_api(buyer.app, "DELETE", f"/subscribe/customers/{key.customer_uid}")
    response = buyer.post(ONE_CLICK, purchase_form(buyer, TEA))
    [order] = orders(buyer.app)
    assert response.headers["Location"] == f"/orders/{order.token}/pay"
    assert order.status == OrderStatus.PENDING
    page = buyer.client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Your saved Kakao Pay was not charged (등록되지 않은 사용자입니다.)" in page


def test_a_purchase_key_of_another_account_or_made_up_charges_nothing(buyer, app):
    form = purchase_form(buyer, TEA)
    other = customer(ShopActions(app, app.test_client()), "other@example.com")
    save_kakao_pay(other, pay_with="point")
    for purchase_key in (form["purchase_key"], "forged", ""):
        response = other.post(ONE_CLICK, {**form, "purchase_key": purchase_key})
        assert response.status_code == 303
        assert response.headers["Location"] == f"/products/{TEA}"
    assert orders(app) == []


def test_no_saved_key_or_no_account_charges_nothing(shop, app):
    form = {"product_id": shop.product(TEA).id, "quantity": 1, "purchase_key": "x"}
    assert shop.post(ONE_CLICK, form).headers["Location"].startswith("/account/login")
    customer(shop)
    assert shop.post(ONE_CLICK, form).headers["Location"] == "/account/"
    assert orders(app) == []


@pytest.mark.parametrize(
    ("quantity", "status", "message"),
    [
        ("0", 400, "Quantity must be a whole number from 1 to 99."),
        ("", 400, "Enter a quantity from 1 to 99."),
        ("41", 303, "Only 40 of 제주 유기농 녹차 left in stock."),
    ],
)
def test_a_quantity_that_cannot_be_sold_charges_nothing(buyer, quantity, status, message):
    response = buyer.post(ONE_CLICK, {**purchase_form(buyer, TEA), "quantity": quantity})
    assert response.status_code == status
    page = (
        response.get_data(as_text=True)
        if status == 400
        else buyer.client.get(response.headers["Location"]).get_data(as_text=True)
    )
    assert message in page
    assert orders(buyer.app) == []


def test_the_product_pages_window_gets_an_order_priced_by_the_server(buyer):
    answer = buyer.post(WINDOW, {"product_id": buyer.product(TEA).id, "quantity": 2})
    [order] = orders(buyer.app)
    params = answer.json["params"]
    assert params["merchant_uid"] == order.merchant_uid
    assert (
        params["amount"] == order.amount == with_shipping(buyer.app, buyer.product(TEA).price * 2)
    )
    assert params["buyer_addr"] == "서울특별시 강남구 테헤란로 152"
    assert order.user_id == account(buyer.app).id
    assert answer.json["order_url"] == f"/orders/{order.token}"

    query = buyer.decide_in_window(params)
    callback = buyer.client.post(
        "/checkout/complete", json=query, headers={"X-CSRFToken": buyer.csrf_token()}
    )
    assert callback.json == {"status": "paid", "redirect": f"/orders/{order.token}"}


def test_the_product_pages_window_needs_an_account_with_details(shop):
    form = {"product_id": shop.product(TEA).id, "quantity": 1}
    headers = {"Accept": "application/json"}
    assert shop.post(WINDOW, form, headers=headers).status_code == 401
    sign_up(shop)
    refused = shop.post(WINDOW, form, headers=headers)
    assert (refused.status_code, refused.json["error"]) == (
        409,
        "Save your delivery details first; then you can buy in one step.",
    )
    assert orders(shop.app) == []


def test_the_window_is_offered_on_the_product_page_only_with_details(shop):
    def opens_window() -> bool:
        page = shop.client.get(f"/products/{TEA}").get_data(as_text=True)
        return "data-opens-window" in page and "js/product.js" in page

    assert not opens_window()
    customer(shop)
    assert opens_window()
    assert PURCHASE_KEY.search(shop.client.get(f"/products/{TEA}").get_data(as_text=True)) is None


def test_enter_in_the_quantity_adds_to_the_cart_and_charges_nothing(buyer):
    # A browser submits a form with its first submit button when Enter is pressed in a field.
    page = buyer.client.get(f"/products/{TEA}").get_data(as_text=True)
    form = re.search(r'<form[^>]*action="/cart/add"[^>]*>(.*?)</form>', page, re.S).group(1)
    buttons = re.findall(r'<button[^>]*type="submit"[^>]*>', form)
    assert "Buy now with saved Kakao Pay" in form
    assert "formaction" not in buttons[0]


def test_the_saved_address_detail_goes_with_every_order_of_the_account(buyer):
    assert save_details(buyer, address_detail=" 101동 1004호 ").status_code == 303
    assert 'value="101동 1004호"' in buyer.client.get("/account/").get_data(as_text=True)
    buyer.add_to_cart(TEA)
    assert 'value="101동 1004호"' in buyer.client.get("/checkout").get_data(as_text=True)

    buyer.post(ONE_CLICK, purchase_form(buyer, TEA))
    answer = buyer.post(WINDOW, {"product_id": buyer.product(TEA).id, "quantity": 1})

    assert answer.status_code == 200, answer.get_data(as_text=True)
    assert [order.address_detail for order in orders(buyer.app)] == ["101동 1004호"] * 2


def test_a_saved_recipient_receives_every_order_of_the_account(buyer):
    saved = save_details(
        buyer, same_as_buyer="", recipient_name=" 김영희 ", recipient_tel="+82 10 9876 5432"
    )
    assert saved.status_code == 303
    assert (account(buyer.app).recipient_name, account(buyer.app).recipient_tel) == (
        "김영희",
        "010-9876-5432",
    )
    page = buyer.client.get("/account/").get_data(as_text=True)
    assert 'value="김영희"' in page
    assert 'checked id="same_as_buyer"' not in page
    # The checkout starts from it too, "Same as buyer" unticked.
    buyer.add_to_cart(TEA)
    checkout = buyer.client.get("/checkout").get_data(as_text=True)
    assert 'value="김영희"' in checkout
    assert 'value="010-9876-5432"' in checkout
    assert 'checked id="same_as_buyer"' not in checkout

    buyer.post(ONE_CLICK, purchase_form(buyer, TEA))
    answer = buyer.post(WINDOW, {"product_id": buyer.product(TEA).id, "quantity": 1})

    assert answer.status_code == 200, answer.get_data(as_text=True)
    placed = orders(buyer.app)
    assert [(o.recipient, o.recipient_phone, o.buyer_name) for o in placed] == [
        ("김영희", "010-9876-5432", "김민지")
    ] * 2


def test_same_as_buyer_again_forgets_the_saved_recipient(buyer):
    save_details(buyer, same_as_buyer="", recipient_name="김영희", recipient_tel="01098765432")
    assert save_details(buyer).status_code == 303
    assert (account(buyer.app).recipient_name, account(buyer.app).recipient_tel) == (None, None)
    assert 'checked id="same_as_buyer"' in buyer.client.get("/account/").get_data(as_text=True)
    buyer.post(ONE_CLICK, purchase_form(buyer, TEA))
    [order] = orders(buyer.app)
    assert (order.recipient, order.recipient_phone) == ("김민지", "010-1234-5678")


@pytest.mark.parametrize(
    ("recipient", "error"),
    [
        (
            {"recipient_name": "", "recipient_tel": "010-9876-5432"},
            "Enter the recipient's name",
        ),
        ({"recipient_name": "김영희", "recipient_tel": ""}, "Enter the recipient's phone"),
        (
            {"recipient_name": "김영희", "recipient_tel": "12345"},
            "Enter a phone number like 010-1234-5678.",
        ),
        ({"recipient_name": "김" * 61, "recipient_tel": "010-9876-5432"}, "60 characters"),
    ],
)
def test_a_recipient_without_a_name_or_a_phone_is_refused_and_nothing_typed_lost(
    buyer, recipient, error
):
    refused = save_details(buyer, same_as_buyer="", address_detail="101동 1004호", **recipient)
    page = refused.get_data(as_text=True)
    assert refused.status_code == 400
    assert error in page
    assert 'value="101동 1004호"' in page
    assert all(f'value="{value}"' in page for value in recipient.values() if value)
    assert account(buyer.app).recipient_name is None


def test_an_address_detail_too_long_is_refused_and_the_saved_one_kept(buyer):
    assert save_details(buyer, address_detail="101동 1004호").status_code == 303
    refused = save_details(buyer, address_detail="가" * 101)
    assert refused.status_code == 400
    assert "가" * 101 in refused.get_data(as_text=True)
    assert account(buyer.app).address_detail == "101동 1004호"
