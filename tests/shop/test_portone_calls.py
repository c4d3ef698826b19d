"""What a verified checkout costs in calls to PortOne: the prepare and one re-fetch, the token
kept. Every later notification that cannot change the order (callback, redirect, webhooks of
an order paid by that very payment) is answered from the database; one that claims a cancel,
or anything but "paid", is re-fetched."""

from urllib.parse import urlsplit

import pytest

from shop.models import OrderStatus
from tests.shop.actions import ShopActions
from tests.shop.subscription_actions import complete, subscribe, subscriber, subscription

TOKEN = ("POST", "/users/getToken")
PREPARE = ("POST", "/payments/prepare")


@pytest.fixture
def calls(app) -> list[tuple[str, str]]:
    """Every call the shop's PortOne client makes from now on: (method, path)."""
    made: list[tuple[str, str]] = []

    def note(response, *args, **kwargs):
        path = urlsplit(response.url).path.removeprefix("/portone-sandbox")
        made.append((response.request.method, path))

    app.extensions["portone"].session.hooks["response"].append(note)
    return made


def checkout_with_every_door(app) -> tuple[str, str]:
    """A buyer of their own places an order and pays; then the callback, the phone redirect and
    PortOne's webhook all arrive, and the webhook twice more, as PortOne may resend it."""
    buyer = ShopActions(app, app.test_client())
    placed = buyer.place(1)
    query = buyer.pay(placed.merchant_uid, placed.amount)
    imp_uid = query["imp_uid"]
    assert buyer.callback(imp_uid).json["status"] == OrderStatus.PAID
    assert buyer.redirect_door(query).status_code == 303
    for _ in range(3):
        answer = buyer.webhook({"imp_uid": imp_uid, "merchant_uid": placed.merchant_uid})
        assert answer.json == {"outcome": "known_paid"}
    answer = buyer.webhook({"imp_uid": imp_uid, "status": "paid"})
    assert answer.json == {"outcome": "known_paid"}
    assert buyer.order(placed.merchant_uid).status == OrderStatus.PAID
    return placed.merchant_uid, imp_uid


def test_a_verified_checkout_costs_a_prepare_and_one_fetch(app, calls):
    checkouts = [checkout_with_every_door(app) for _ in range(3)]

    # One token for the process, then two calls per checkout.
    assert calls.count(TOKEN) == 1
    per_checkout = [call for call in calls if call != TOKEN]
    assert per_checkout == [
        call for _, imp_uid in checkouts for call in (PREPARE, ("GET", f"/payments/{imp_uid}"))
    ]


def test_a_webhook_claiming_a_cancel_is_fetched(app, shop, calls):
    _, imp_uid = checkout_with_every_door(app)
    shop.console_cancel(imp_uid)
    calls.clear()

    answer = shop.webhook({"imp_uid": imp_uid, "status": "cancelled"})

    assert answer.json == {"outcome": "cancelled"}
    assert calls == [("GET", f"/payments/{imp_uid}")]


@pytest.mark.parametrize("claimed", ["failed", "ready", 7])
def test_a_webhook_claiming_any_other_status_is_fetched(app, shop, calls, claimed):
    _, imp_uid = checkout_with_every_door(app)
    calls.clear()

    answer = shop.webhook({"imp_uid": imp_uid, "status": claimed})

    assert answer.json == {"outcome": "already_paid"}
    assert calls == [("GET", f"/payments/{imp_uid}")]


def test_a_subscriptions_doors_after_its_first_charge_ask_portone_nothing(app, calls):
    shop = subscriber(app)
    query = subscribe(shop)
    assert subscription(app).status == "active"
    calls.clear()

    for phone in (False, True, False):
        assert complete(shop, query, phone).status_code in (200, 303)

    assert calls == []
    assert subscription(app).status == "active"
