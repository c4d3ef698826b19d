"""Rate limits per client address on what costs a call to PortOne: placing orders (checkout,
paying again, a signed-in purchase) and webhooks. Refused with a 429 that says why, in the
buyer's language; other addresses are not affected. Where the counters live: Redis when
``REDIS_URL`` is set, unless ``RATELIMIT_STORAGE_URI`` says otherwise."""

import pytest
from sqlalchemy import func, select

from shop import create_app
from shop.extensions import db
from shop.models import Order
from tests.language import t
from tests.shop.actions import BUYER, ShopActions

TOO_MANY_ORDERS = (
    "Too many orders from your address in a short time. Please wait a few minutes and try again."
)
TOO_MANY_WEBHOOKS = "Too many notifications from this address. Please send it again later."


def buyer(app, address: str = "127.0.0.1") -> ShopActions:
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return ShopActions(app, client)


def orders(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(Order.id)))


@pytest.fixture
def limited(app_factory):
    return app_factory(ORDERS_PER_ADDRESS="2 per 10 minutes", WEBHOOKS_PER_ADDRESS="3 per minute")


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_orders_past_the_limit_are_refused_in_the_buyers_language(limited, lang):
    shop = buyer(limited)
    shop.place()
    shop.place()
    shop.add_to_cart("jeju-green-tea")

    refused = shop.post("/checkout", BUYER, headers={"Accept-Language": lang})

    assert refused.status_code == 429
    assert t(TOO_MANY_ORDERS, lang) in refused.get_data(as_text=True)
    assert orders(shop.app) == 2


def test_the_checkout_script_gets_the_refusal_as_json(limited):
    shop = buyer(limited)
    shop.place()
    shop.place()
    refused = shop.post("/checkout", BUYER, headers={"Accept": "application/json"})
    assert (refused.status_code, refused.json) == (429, {"error": TOO_MANY_ORDERS})


def test_forms_sent_back_with_errors_are_not_counted(limited):
    shop = buyer(limited)
    shop.add_to_cart("jeju-green-tea")
    for _ in range(4):
        assert shop.checkout(buyer_email="not an address").status_code == 400
    shop.place()
    shop.place()
    assert orders(shop.app) == 2


def test_paying_again_counts_with_the_checkout(limited):
    shop = buyer(limited)
    placed = shop.place()
    shop.place()
    refused = shop.post(f"/orders/{placed.token}/retry", {})
    assert refused.status_code == 429
    assert TOO_MANY_ORDERS in refused.get_data(as_text=True)


def test_another_address_places_its_own_orders(limited):
    buyer(limited).place()
    buyer(limited).place()
    other = buyer(limited, "203.0.113.7")
    other.place()
    assert orders(other.app) == 3


def test_webhooks_past_the_limit_are_refused(limited):
    shop = buyer(limited)
    body = {"imp_uid": "imp_123456789012"}
    for _ in range(3):
        assert shop.webhook(body).status_code != 429
    refused = shop.webhook(body)
    assert (refused.status_code, refused.json) == (429, {"error": TOO_MANY_WEBHOOKS})
    # Counted before PortOne is asked: the refused one was never synced.
    assert len(shop.events()) == 3
    assert buyer(limited, "203.0.113.7").webhook(body).status_code != 429


@pytest.mark.parametrize(
    ("settings", "storage"),
    [
        ({}, "memory://"),
        ({"REDIS_URL": "redis://cache:6379/2"}, "redis://cache:6379/2"),
        (
            {"REDIS_URL": "redis://cache:6379/2", "RATELIMIT_STORAGE_URI": "memory://"},
            "memory://",
        ),
    ],
    ids=["default", "redis-url", "storage-uri-wins"],
)
def test_redis_url_puts_the_counters_in_redis(tmp_path, settings, storage):
    app = create_app(
        {
            "SECRET_KEY": "test",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'shop.sqlite3'}",
            "SANDBOX_DATABASE_URL": f"sqlite:///{tmp_path / 'sandbox.sqlite3'}",
            **settings,
        }
    )
    assert app.config["RATELIMIT_STORAGE_URI"] == storage
