"""Accounts: sign-up, log-in, log-out, the session at log-in, saved details, and whose orders."""

import pytest
from sqlalchemy import select

from shop.config import defaults
from shop.extensions import db
from shop.format import kst
from shop.models import Order, User
from tests.shop.account_actions import (
    DETAILS,
    PASSWORD,
    account,
    customer,
    log_in,
    save_details,
    sign_up,
)
from tests.shop.actions import BUYER, CHOICES, ELSEWHERE, ShopActions

WRONG = "That email and password don&#39;t match an account."


@pytest.fixture
def stranger(app) -> ShopActions:
    """Another browser."""
    return ShopActions(app, app.test_client())


def users(app) -> list[User]:
    with app.app_context():
        return db.session.scalars(select(User)).all()


def test_sign_up_logs_in_and_keeps_only_a_scrypt_hash(shop):
    response = sign_up(shop, email=" MinJi@Example.com ")
    assert (response.status_code, response.headers["Location"]) == (303, "/account/")
    page = shop.client.get("/account/").get_data(as_text=True)
    assert "Logged in as minji@example.com" in page
    [user] = users(shop.app)
    assert user.email == "minji@example.com"
    assert user.password_hash.startswith("scrypt:")
    assert PASSWORD not in user.password_hash


def test_the_shop_hashes_at_werkzeugs_full_scrypt_cost_unless_told_otherwise(app_factory):
    """The tests' shops hash cheaply (tests/shop/apps.py); the shop itself must not."""
    assert defaults(".")["PASSWORD_HASH_METHOD"] == "scrypt"
    app = app_factory(PASSWORD_HASH_METHOD="scrypt")
    assert sign_up(ShopActions(app, app.test_client())).status_code == 303
    [user] = users(app)
    method = user.password_hash.split("$")[0]
    assert method == "scrypt:32768:8:1"
    assert log_in(ShopActions(app, app.test_client())).status_code == 303


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"email": "not-an-email"}, "Enter a valid email address."),
        ({"password": "short"}, "Use 8 to 128 characters."),
        ({"password": "x" * 129}, "Use 8 to 128 characters."),
        ({"name": ""}, "Enter your name."),
        ({"email": ""}, "Enter your email address."),
    ],
)
def test_sign_up_refuses_bad_input_beside_the_field(shop, fields, message):
    form = {"name": "김민지", "email": "minji@example.com", "password": PASSWORD, **fields}
    response = shop.post("/account/signup", form)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert users(shop.app) == []


def test_an_email_signs_up_once_whatever_its_case(shop, stranger):
    sign_up(shop)
    response = sign_up(stranger, email="MINJI@example.com")
    assert response.status_code == 400
    assert "An account with this email already exists." in response.get_data(as_text=True)
    assert len(users(shop.app)) == 1


def test_log_in_starts_a_new_session_but_keeps_the_guests_cart(shop, stranger):
    customer(stranger)
    shop.add_to_cart("jeju-green-tea", 2)
    # The session's first page with a form gives it a token.
    assert shop.csrf_token()
    with shop.client.session_transaction() as session:
        session["planted"] = "by someone who fixed this cookie"
        csrf_before = session["csrf_token"]
    assert log_in(shop).status_code == 303
    with shop.client.session_transaction() as session:
        assert "planted" not in session
        assert session.get("csrf_token") != csrf_before
        assert session["_user_id"] == str(account(shop.app).id)
    assert shop.cart() == {str(shop.product("jeju-green-tea").id): 2}


@pytest.mark.parametrize("email", ["minji@example.com", "nobody@example.com"])
def test_a_wrong_password_or_unknown_email_gets_one_answer(shop, stranger, email):
    customer(stranger)
    response = log_in(shop, email, "not the password")
    assert response.status_code == 400
    assert WRONG in response.get_data(as_text=True)
    with shop.client.session_transaction() as session:
        assert "_user_id" not in session


def test_failed_log_ins_are_limited_per_account_and_address(shop, stranger, app):
    customer(stranger)
    customer(ShopActions(app, app.test_client()), "other@example.com")
    for _ in range(5):
        assert log_in(shop, password="guess").status_code == 400
    # The right password no longer helps from here, for this account.
    refused = log_in(shop)
    assert refused.status_code == 429
    assert "Too many failed log-ins" in refused.get_data(as_text=True)
    # Another account from the same address is not locked out by it.
    assert log_in(shop, "other@example.com").status_code == 303


def test_successful_log_ins_are_not_counted(shop):
    customer(shop)
    for _ in range(8):
        assert log_in(shop).status_code == 303


def test_log_out_needs_the_form_and_ends_the_session(shop):
    customer(shop)
    assert shop.client.post("/account/logout", headers=ELSEWHERE).status_code == 400
    assert shop.client.get("/account/").status_code == 200
    assert shop.post("/account/logout", {}).status_code == 303
    response = shop.client.get("/account/")
    assert response.status_code == 303
    assert response.headers["Location"].startswith("/account/login?next=/account/")


@pytest.mark.parametrize(
    "target", ["//evil.example/", "https://evil.example/", "/\\evil.example", "javascript:x"]
)
def test_after_log_in_only_a_local_next_is_followed(shop, stranger, target):
    customer(stranger)
    response = shop.post(
        f"/account/login?next={target}", {"email": "minji@example.com", "password": PASSWORD}
    )
    assert response.headers["Location"] == "/account/"


def test_after_log_in_the_page_asked_for_opens(shop, stranger):
    customer(stranger)
    login = shop.client.get("/account/orders")
    assert login.headers["Location"] == "/account/login?next=/account/orders"
    response = shop.post(
        login.headers["Location"], {"email": "minji@example.com", "password": PASSWORD}
    )
    assert response.headers["Location"] == "/account/orders"


def test_a_script_asking_without_an_account_gets_a_401(shop):
    response = shop.client.post(
        "/account/kakao-pay/complete", json={}, headers={"X-CSRFToken": shop.csrf_token()}
    )
    assert (response.status_code, response.json) == (401, {"error": "Please log in to continue."})


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("buyer_tel", "010-12-34", "Enter a phone number like 010-1234-5678."),
        ("buyer_postcode", "０６２３６", "Enter the 5-digit postcode."),
        ("buyer_addr", "", "Enter your delivery address."),
    ],
)
def test_delivery_details_are_checked_as_the_checkout_checks_them(shop, field, value, message):
    sign_up(shop)
    response = save_details(shop, **{field: value})
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert account(shop.app).address is None


def test_checkout_fills_in_the_saved_details_and_the_order_is_the_accounts(shop):
    customer(shop)
    shop.add_to_cart("jeju-green-tea")
    page = shop.client.get("/checkout").get_data(as_text=True)
    for value in (*DETAILS.values(), "minji@example.com"):
        assert f'value="{value}"' in page
    assert (
        shop.post("/checkout", {**BUYER, **CHOICES, "buyer_email": "minji@example.com"}).status_code
        == 303
    )
    with shop.app.app_context():
        order = db.session.scalars(select(Order)).one()
    assert order.user_id == account(shop.app).id


def test_guest_orders_belong_to_no_one(shop):
    shop.add_to_cart("jeju-green-tea")
    assert shop.post("/checkout", {**BUYER, **CHOICES}).status_code == 303
    with shop.app.app_context():
        assert db.session.scalars(select(Order)).one().user_id is None


def test_my_orders_lists_mine_and_no_one_else_opens_them_by_id(shop, stranger):
    customer(shop)
    shop.add_to_cart("jeju-green-tea")
    shop.post("/checkout", {**BUYER, **CHOICES})
    with shop.app.app_context():
        order = db.session.scalars(select(Order)).one()
        order_id, token, merchant_uid = order.id, order.token, order.merchant_uid
        placed_at = kst(order.created_at)

    mine = shop.client.get("/account/orders").get_data(as_text=True)
    assert merchant_uid in mine
    assert f">{placed_at}</td>" in mine
    opened = shop.client.get(f"/account/orders/{order_id}")
    assert opened.headers["Location"] == f"/orders/{token}"

    customer(stranger, "other@example.com")
    assert merchant_uid not in stranger.client.get("/account/orders").get_data(as_text=True)
    assert stranger.client.get(f"/account/orders/{order_id}").status_code == 404
    assert stranger.client.get("/account/orders/99999").status_code == 404
    # The order's own link still opens it, as it does for a guest.
    assert stranger.client.get(f"/orders/{token}").status_code == 200
