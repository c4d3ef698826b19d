"""Who is sent to an order: only the browser that placed it.

An order's address opens a page with the buyer's name, address, e-mail and phone. The doors take
an imp_uid or a merchant_uid, which receipts and pages print, so knowing one must open nothing.
"""

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

import pytest
from flask import Flask
from sqlalchemy import select

from shop.extensions import db
from shop.models import Order, OrderStatus, utcnow
from shop.portone import PortOneClient
from tests.shop.actions import BUYER, Placed, ShopActions

NOT_HERE = "We can't show that payment here: an order is shown only in the browser that placed it."


@pytest.fixture
def placed(shop) -> Placed:
    return shop.place()


@pytest.fixture
def stranger(app) -> ShopActions:
    """Another browser, holding what a receipt or the order's pages print."""
    return ShopActions(app, app.test_client())


@contextmanager
def unreachable_portone(app: Flask) -> Iterator[None]:
    working = app.extensions["portone"]
    app.extensions["portone"] = PortOneClient("http://127.0.0.1:9", "k", "s", timeout=(0.5, 1))
    try:
        yield
    finally:
        app.extensions["portone"] = working


def shows_nothing_of(page: str, placed) -> bool:
    return placed.token not in page and not any(value in page for value in BUYER.values())


def test_callback_with_a_copied_imp_uid_reveals_nothing(shop, placed, stranger):
    query = shop.pay(placed.merchant_uid, placed.amount)
    answer = stranger.callback(query["imp_uid"])
    unknown = stranger.callback("imp_000000000000")
    assert (answer.status_code, answer.json) == (404, {"error": NOT_HERE})
    assert (unknown.status_code, unknown.json) == (answer.status_code, answer.json)

    # The payment was still verified and the order fulfilled; only its address was withheld.
    assert shop.order(placed.merchant_uid).status == OrderStatus.PAID
    mine = shop.callback(query["imp_uid"])
    assert mine.json == {"status": "paid", "redirect": f"/orders/{placed.token}"}


def test_phone_redirect_with_a_copied_imp_uid_reveals_nothing(shop, placed, stranger):
    query = shop.pay(placed.merchant_uid, placed.amount)
    answer = stranger.redirect_door(query)
    assert answer.headers["Location"].endswith("/cart/")
    page = stranger.client.get(answer.headers["Location"]).get_data(as_text=True)
    assert "We can&#39;t show that payment here" in page
    assert shows_nothing_of(page, placed)

    assert shop.order(placed.merchant_uid).status == OrderStatus.PAID
    mine = shop.redirect_door(query)
    assert mine.headers["Location"].endswith(f"/orders/{placed.token}")


def test_phone_redirect_with_a_copied_merchant_uid_reveals_nothing(shop, placed, stranger):
    query = {"merchant_uid": placed.merchant_uid, "imp_success": "false", "error_code": "F1004"}
    answer = stranger.redirect_door(query)
    assert answer.headers["Location"].endswith("/cart/")
    page = stranger.client.get(answer.headers["Location"]).get_data(as_text=True)
    assert shows_nothing_of(page, placed)

    mine = shop.redirect_door(query)
    assert mine.headers["Location"].endswith(f"/orders/{placed.token}/pay")


def test_while_portone_is_unreachable_a_merchant_uid_opens_only_this_browsers_order(
    shop, placed, stranger
):
    any_imp_uid = {"imp_uid": "imp_000000000000", "merchant_uid": placed.merchant_uid}
    with unreachable_portone(shop.app):
        answer = stranger.callback(**any_imp_uid)
        assert (answer.status_code, answer.json) == (404, {"error": NOT_HERE})
        assert stranger.redirect_door(any_imp_uid).headers["Location"].endswith("/cart/")

        # The buyer still waits on their own order's page.
        mine = shop.callback(**any_imp_uid)
        assert mine.json == {"status": "pending", "redirect": f"/orders/{placed.token}"}
        mine = shop.redirect_door(any_imp_uid)
        assert mine.headers["Location"].endswith(f"/orders/{placed.token}")


def test_an_order_placed_again_is_this_browsers_too(shop, placed):
    with shop.app.app_context():
        expired = db.session.scalar(select(Order).where(Order.token == placed.token))
        expired.payable_until = utcnow() - timedelta(minutes=1)
        db.session.commit()
    shop.post(f"/orders/{placed.token}/retry", {})
    with shop.app.app_context():
        retried = db.session.scalars(select(Order).order_by(Order.id.desc())).first()
        db.session.expunge(retried)
    assert retried.token != placed.token
    query = shop.pay(retried.merchant_uid, retried.amount)
    answer = shop.callback(query["imp_uid"])
    assert answer.json == {"status": "paid", "redirect": f"/orders/{retried.token}"}


def session_cookie(shop: ShopActions) -> str:
    """What the browser's session cookie says: it is signed, not encrypted, so anyone who
    holds the cookie can read it."""
    cookie = shop.client.get_cookie("session")
    data = shop.app.session_interface.get_signing_serializer(shop.app).loads(cookie.value)
    return json.dumps(data, ensure_ascii=False)


def test_buyer_details_stay_out_of_the_session_cookie(shop, placed):
    assert not any(value in session_cookie(shop) for value in BUYER.values())

    query = shop.pay(placed.merchant_uid, placed.amount, decision="cancel")
    shop.redirect_door(query)
    form = shop.client.get("/checkout").get_data(as_text=True)
    # Filled in again from the order, which the server keeps.
    assert all(value in form for value in BUYER.values())
    assert not any(value in session_cookie(shop) for value in BUYER.values())
