"""A shopper with an account, for the HTTP tests: sign up, log in, delivery details, the saved
Kakao Pay window, and PortOne's own answers (the mounted sandbox's REST API) to check against."""

import json
import re

from flask import Flask

from shop.extensions import db
from shop.models import BillingKey, User
from tests.shop.actions import SANDBOX, ShopActions

PASSWORD = "correct horse battery"
DETAILS = {
    "buyer_name": "김민지",
    "buyer_tel": "010-1234-5678",
    "buyer_addr": "서울특별시 강남구 테헤란로 152",
    "buyer_postcode": "06236",
    # Ticked on the page unless another recipient is saved.
    "same_as_buyer": "y",
}
KEY_PARAMS = re.compile(r'<script type="application/json" id="billing-key-params">(.*?)</script>')
PURCHASE_KEY = re.compile(r'name="purchase_key" value="([^"]+)"')


def sign_up(shop: ShopActions, email: str = "minji@example.com", password: str = PASSWORD):
    return shop.post("/account/signup", {"name": "김민지", "email": email, "password": password})


def log_in(shop: ShopActions, email: str = "minji@example.com", password: str = PASSWORD):
    return shop.post("/account/login", {"email": email, "password": password})


def save_details(shop: ShopActions, **changes):
    return shop.post("/account/details", {**DETAILS, **changes})


def customer(shop: ShopActions, email: str = "minji@example.com") -> ShopActions:
    """A signed-up shopper with delivery details, in ``shop``'s browser."""
    assert sign_up(shop, email).status_code == 303
    assert save_details(shop).status_code == 303
    return shop


def key_window(shop: ShopActions) -> dict:
    """The parameters the account page gives ``IMP.request_pay`` for saving Kakao Pay."""
    page = shop.client.get("/account/").get_data(as_text=True)
    match = KEY_PARAMS.search(page)
    assert match, "no Save Kakao Pay window on the account page"
    return json.loads(match.group(1))


def complete_key(shop: ShopActions, query: dict | None = None, phone: bool = False):
    """Tell the shop the window is done, as the PC callback (POST) or phone redirect (GET) does."""
    if phone:
        return shop.client.get("/account/kakao-pay/complete", query_string=query or {})
    return shop.client.post(
        "/account/kakao-pay/complete", json=query or {}, headers={"X-CSRFToken": shop.csrf_token()}
    )


def save_kakao_pay(
    shop: ShopActions,
    decision: str = "approve",
    pay_with: str = "card",
    decline_charges: bool = False,
    phone: bool = False,
    params: dict | None = None,
):
    """Open the account page's window, decide in it, and complete; return the completion."""
    params = params or key_window(shop)
    query = shop.decide_in_window(params, decision, pay_with, decline_charges)
    return complete_key(shop, query, phone)


def purchase_form(shop: ShopActions, slug: str, quantity: int = 1) -> dict:
    """The product page's form as the browser would submit it (the one-time purchase key too)."""
    page = shop.client.get(f"/products/{slug}").get_data(as_text=True)
    match = PURCHASE_KEY.search(page)
    assert match, "no one-click purchase on the product page"
    return {"product_id": shop.product(slug).id, "quantity": quantity, "purchase_key": match[1]}


def account(app: Flask, email: str = "minji@example.com") -> User:
    with app.app_context():
        user = db.session.scalar(db.select(User).filter_by(email=email))
        assert user is not None, email
        db.session.expunge(user)
        return user


def keys(app: Flask) -> list[BillingKey]:
    with app.app_context():
        found = db.session.scalars(db.select(BillingKey).order_by(BillingKey.id)).all()
        db.session.expunge_all()
        return found


def portone_api(app: Flask, method: str, path: str):
    """PortOne's answer (the mounted sandbox's REST API), as a merchant's server would ask."""
    client = app.test_client()
    auth = client.post(
        f"{SANDBOX}/users/getToken", json={"imp_key": "sandbox-key", "imp_secret": "sandbox-secret"}
    ).json["response"]
    return client.open(
        f"{SANDBOX}{path}", method=method, headers={"Authorization": auth["access_token"]}
    )
