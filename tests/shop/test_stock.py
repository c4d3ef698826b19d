"""Stock is taken when a payment is confirmed, never below zero; a payment it cannot cover is
refunded and its order says so."""

import threading

import pytest
from sqlalchemy.exc import IntegrityError

from shop.catalog.seed import seed_catalog
from shop.extensions import db
from shop.models import OrderStatus
from tests.postgres import POSTGRES_URL
from tests.shop.actions import ShopActions
from tests.shop.apps import make_app

SLUG = "jeju-hallabong"


def buyer(app) -> ShopActions:
    """Another shopper, with a browser (session, cart) of their own."""
    return ShopActions(app, app.test_client())


def test_a_payment_after_the_stock_ran_out_is_refunded(shop):
    shop.update_product(SLUG, stock=2)
    first = shop.place(2, SLUG)
    late_buyer = buyer(shop.app)
    second = late_buyer.place(2, SLUG)

    paid = shop.pay(first.merchant_uid, first.amount)
    assert shop.callback(paid["imp_uid"]).json["status"] == OrderStatus.PAID
    late = late_buyer.pay(second.merchant_uid, second.amount)
    response = late_buyer.callback(late["imp_uid"])
    assert response.json == {"status": "sold_out", "redirect": f"/orders/{second.token}"}

    assert shop.product(SLUG).stock == 0
    assert shop.order(second.merchant_uid).status == OrderStatus.SOLD_OUT
    payment = shop.sandbox_payment(late["imp_uid"])
    assert (payment["status"], payment["cancel_amount"]) == ("cancelled", second.amount)
    assert [e.outcome for e in shop.events() if e.imp_uid == late["imp_uid"]] == [
        "sold_out",
        "sold_out_refunded",
    ]
    page = late_buyer.client.get(f"/orders/{second.token}").get_data(as_text=True)
    assert "Sold out" in page
    assert "refunded to your Kakao Pay" in page


def _seeded_app(tmp_path, database: str):
    config = {"DATABASE_URL": POSTGRES_URL} if database == "postgres" else {}
    app = make_app(tmp_path, seed=False, **config)
    with app.app_context():
        db.drop_all()
        db.create_all()
        seed_catalog()
    return app


@pytest.mark.parametrize(
    "database", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def test_two_buyers_of_the_last_unit_paying_at_once_get_one_unit(tmp_path, database):
    app = _seeded_app(tmp_path, database)
    buyers = [buyer(app), buyer(app)]
    buyers[0].update_product(SLUG, stock=1)
    # Both are let through at checkout: stock is not reserved until a payment is confirmed.
    orders = [b.place(1, SLUG) for b in buyers]
    payments = [b.pay(o.merchant_uid, o.amount) for b, o in zip(buyers, orders, strict=True)]

    doors = []
    for query in payments:
        body = {"imp_uid": query["imp_uid"]}
        doors += [
            lambda c, t, body=body: c.post(
                "/checkout/complete", json=body, headers={"X-CSRFToken": t}
            ),
            lambda c, t, query=query: c.get("/checkout/complete/mobile", query_string=query),
            lambda c, t, body=body: c.post("/portone/webhook", json=body),
        ] * 2
    start = threading.Barrier(len(doors))

    def knock(door):
        client = app.test_client()
        token = ShopActions(app, client).csrf_token()
        start.wait()
        door(client, token)

    threads = [threading.Thread(target=knock, args=(door,)) for door in doors]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)

    assert buyers[0].product(SLUG).stock == 0
    statuses = [buyers[0].order(o.merchant_uid).status for o in orders]
    assert sorted(statuses) == [OrderStatus.PAID, OrderStatus.SOLD_OUT]
    assert len(buyers[0].events("paid")) == 1
    for status, query, order in zip(statuses, payments, orders, strict=True):
        payment = buyers[0].sandbox_payment(query["imp_uid"])
        if status == OrderStatus.PAID:
            assert (payment["status"], payment["cancel_amount"]) == ("paid", 0)
        else:
            # Refunded once, whichever door got there first.
            assert (payment["status"], payment["cancel_amount"]) == ("cancelled", order.amount)
            assert len(payment["cancel_history"]) == 1


def test_the_database_refuses_negative_stock(shop):
    with pytest.raises(IntegrityError):
        shop.update_product(SLUG, stock=-1)
