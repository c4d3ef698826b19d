"""The three doors and ``sync_payment``: PortOne's record decides, and only once."""

import threading
from dataclasses import dataclass

import pytest
from sqlalchemy import select

from shop.extensions import db
from shop.models import Order, OrderStatus, PaymentEvent, Product
from shop.portone import PortOneClient
from tests.postgres import POSTGRES_URL
from tests.shop.actions import BUYER, SANDBOX, ShopActions
from tests.shop.apps import make_app

QUANTITY = 2


@dataclass
class Placed:
    merchant_uid: str
    token: str
    amount: int
    slug: str
    stock: int


def place(shop) -> Placed:
    """Put two of a product in the cart and check out, as a buyer would."""
    with shop.app.app_context():
        item = db.session.scalars(select(Product).where(Product.stock >= 10)).first()
        slug, stock = item.slug, item.stock
    shop.add_to_cart(slug, QUANTITY)
    response = shop.checkout()
    assert response.status_code == 303
    with shop.app.app_context():
        order = db.session.scalars(select(Order).order_by(Order.id.desc())).first()
        return Placed(order.merchant_uid, order.token, order.amount, slug, stock)


@pytest.fixture
def placed(shop) -> Placed:
    return place(shop)


def callback(shop, imp_uid: str, merchant_uid: str | None = None):
    return shop.client.post(
        "/checkout/complete",
        json={"imp_uid": imp_uid, "merchant_uid": merchant_uid},
        headers={"X-CSRFToken": shop.csrf_token()},
    )


def redirect_door(shop, query: dict):
    return shop.client.get("/checkout/complete/mobile", query_string=query)


def webhook(shop, body: dict, form: bool = False):
    if form:
        return shop.client.post("/portone/webhook", data=body)
    return shop.client.post("/portone/webhook", json=body)


def events(app, outcome: str | None = None) -> list[PaymentEvent]:
    with app.app_context():
        query = select(PaymentEvent).order_by(PaymentEvent.id)
        if outcome:
            query = query.where(PaymentEvent.outcome == outcome)
        return db.session.scalars(query).all()


def sandbox_payment(app, imp_uid: str) -> dict:
    with app.test_request_context():
        return app.extensions["portone"].get_payment(imp_uid)


def test_callback_fulfils_the_order(shop, placed):
    query = shop.pay(placed.merchant_uid, placed.amount)
    response = callback(shop, query["imp_uid"])
    assert response.status_code == 200
    assert response.json == {"status": "paid", "redirect": f"/orders/{placed.token}"}

    order = shop.order(placed.merchant_uid)
    assert order.status == OrderStatus.PAID
    assert order.imp_uid == query["imp_uid"]
    assert order.pay_method == "point"
    assert order.receipt_url.endswith(f"/portone-sandbox/receipts/{query['imp_uid']}")
    assert shop.product(placed.slug).stock == placed.stock - QUANTITY

    page = shop.client.get(f"/orders/{placed.token}").get_data(as_text=True)
    assert "Thank you! Your order is paid." in page
    assert "Kakao Pay (KakaoMoney)" in page
    assert f"{placed.amount:,}원" in page
    assert "View receipt" in page
    assert shop.cart() == {}


def test_every_door_again_and_again_fulfils_once(shop, placed):
    query = shop.pay(placed.merchant_uid, placed.amount, pay_with="card")
    imp_uid = query["imp_uid"]
    body = {"imp_uid": imp_uid, "merchant_uid": placed.merchant_uid, "status": "paid"}
    for _ in range(3):
        assert webhook(shop, body).status_code == 200
        assert redirect_door(shop, query).status_code == 303
        assert callback(shop, imp_uid).json["status"] == "paid"
        assert webhook(shop, body, form=True).json == {"outcome": "already_paid"}

    assert [e.door for e in events(shop.app, "paid")] == ["webhook"]
    assert len(events(shop.app, "already_paid")) == 11
    assert shop.product(placed.slug).stock == placed.stock - QUANTITY
    assert shop.order(placed.merchant_uid).pay_method == "card"


@pytest.mark.parametrize(
    "database", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def test_doors_at_once_fulfil_once(tmp_path, database):
    config = {"DATABASE_URL": POSTGRES_URL} if database == "postgres" else {}
    app = make_app(tmp_path, seed=False, **config)
    with app.app_context():
        db.drop_all()
        db.create_all()
        from shop.catalog.seed import seed_catalog

        seed_catalog()
    shop = ShopActions(app, app.test_client())
    placed = place(shop)
    query = shop.pay(placed.merchant_uid, placed.amount)
    body = {"imp_uid": query["imp_uid"]}

    doors = [
        lambda c, t: c.post("/checkout/complete", json=body, headers={"X-CSRFToken": t}),
        lambda c, t: c.get("/checkout/complete/mobile", query_string=query),
        lambda c, t: c.post("/portone/webhook", json=body),
    ] * 4
    start = threading.Barrier(len(doors))
    statuses: list[int] = []

    def knock(door):
        client = app.test_client()
        token = ShopActions(app, client).csrf_token()
        start.wait()
        statuses.append(door(client, token).status_code)

    threads = [threading.Thread(target=knock, args=(door,)) for door in doors]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)

    assert sorted(statuses) == [200] * 8 + [303] * 4
    assert len(events(app, "paid")) == 1
    assert len(events(app, "already_paid")) == len(doors) - 1
    assert shop.order(placed.merchant_uid).status == OrderStatus.PAID
    assert shop.product(placed.slug).stock == placed.stock - QUANTITY


def test_forged_imp_uid_changes_nothing(shop, placed):
    response = callback(shop, "imp_123456789012")
    assert response.status_code == 404
    assert webhook(shop, {"imp_uid": "imp_123456789012", "status": "paid"}).json == {
        "outcome": "unknown_payment"
    }
    assert shop.order(placed.merchant_uid).status == OrderStatus.PENDING
    assert [e.outcome for e in events(shop.app)] == ["unknown_payment", "unknown_payment"]


def test_foreign_payment_changes_nothing(shop, placed):
    query = shop.pay("another_shops_order_1", placed.amount)
    assert callback(shop, query["imp_uid"]).status_code == 404
    redirected = redirect_door(shop, query)
    assert redirected.headers["Location"].endswith("/cart/")
    assert shop.order(placed.merchant_uid).status == OrderStatus.PENDING
    assert shop.product(placed.slug).stock == placed.stock


def test_webhook_body_that_lies_is_ignored(shop):
    declined = place(shop)
    other = place(shop)
    query = shop.pay(declined.merchant_uid, declined.amount, decision="decline")
    lie = {"imp_uid": query["imp_uid"], "merchant_uid": other.merchant_uid, "status": "paid"}
    assert webhook(shop, lie).json == {"outcome": "failed"}
    assert shop.order(declined.merchant_uid).status == OrderStatus.FAILED
    assert shop.order(other.merchant_uid).status == OrderStatus.PENDING
    assert shop.product(declined.slug).stock == declined.stock


def test_imp_success_true_is_not_believed(shop, placed):
    query = shop.pay(placed.merchant_uid, placed.amount, decision="decline")
    query["imp_success"] = "true"
    query.pop("error_code", None)
    query.pop("error_msg", None)
    response = redirect_door(shop, query)
    assert response.headers["Location"].endswith(f"/orders/{placed.token}")
    assert shop.order(placed.merchant_uid).status == OrderStatus.FAILED


def test_amount_that_differs_is_refunded_and_flagged(shop, placed):
    # Had the prepare been skipped, a tampered page could have paid less: simulate that.
    with shop.app.test_request_context():
        token = shop.app.extensions["portone"].access_token()
    shop.client.put(
        f"{SANDBOX}/payments/prepare",
        json={"merchant_uid": placed.merchant_uid, "amount": 100},
        headers={"Authorization": token},
    )
    query = shop.pay(placed.merchant_uid, 100)
    assert callback(shop, query["imp_uid"]).json["status"] == OrderStatus.FORGERY

    order = shop.order(placed.merchant_uid)
    assert order.status == OrderStatus.FORGERY
    payment = sandbox_payment(shop.app, query["imp_uid"])
    assert payment["status"] == "cancelled"
    assert payment["cancel_amount"] == 100
    assert shop.product(placed.slug).stock == placed.stock
    assert [e.outcome for e in events(shop.app)] == ["forgery", "forgery_refunded"]
    page = shop.client.get(f"/orders/{placed.token}").get_data(as_text=True)
    assert "We could not verify this payment" in page


def test_declined_payment_fails_and_retry_uses_a_new_merchant_uid(shop, placed):
    query = shop.pay(placed.merchant_uid, placed.amount, decision="decline")
    assert query["imp_success"] == "false"
    response = redirect_door(shop, query)
    assert response.headers["Location"].endswith(f"/orders/{placed.token}")
    order = shop.order(placed.merchant_uid)
    assert order.status == OrderStatus.FAILED
    assert "결제 승인이 거절되었습니다" in order.fail_reason

    page = shop.client.get(f"/orders/{placed.token}").get_data(as_text=True)
    assert "Payment failed" in page
    assert "결제 승인이 거절되었습니다" in page

    retried = shop.post(f"/orders/{placed.token}/retry", {})
    assert retried.status_code == 303
    with shop.app.app_context():
        new = db.session.scalars(select(Order).order_by(Order.id.desc())).first()
        assert retried.headers["Location"].endswith(f"/orders/{new.token}/pay")
        assert new.merchant_uid != placed.merchant_uid
        assert (new.amount, new.status) == (placed.amount, OrderStatus.PENDING)
    query = shop.pay(new.merchant_uid, new.amount)
    assert callback(shop, query["imp_uid"]).json["status"] == "paid"


def test_buyer_cancel_goes_back_to_checkout_with_a_message(shop, placed):
    query = shop.pay(placed.merchant_uid, placed.amount, decision="cancel")
    response = redirect_door(shop, query)
    assert response.headers["Location"].endswith("/checkout")
    page = shop.client.get("/checkout").get_data(as_text=True)
    assert "You cancelled the Kakao Pay payment. Nothing was charged." in page
    assert BUYER["buyer_addr"] in page
    assert shop.cart() != {}


def test_phone_redirect_without_a_payment_shows_the_error(shop, placed):
    response = redirect_door(
        shop,
        {
            "merchant_uid": placed.merchant_uid,
            "imp_success": "false",
            "error_code": "F1003",
            "error_msg": "사전 등록된 결제금액과 요청된 결제금액이 일치하지 않습니다.",
        },
    )
    assert response.headers["Location"].endswith(f"/orders/{placed.token}/pay")
    page = shop.client.get(response.headers["Location"]).get_data(as_text=True)
    assert "사전 등록된 결제금액과 요청된 결제금액이 일치하지 않습니다." in page
    assert shop.order(placed.merchant_uid).status == OrderStatus.PENDING


def test_unreachable_portone_leaves_the_order_pending_until_rechecked(shop, placed):
    query = shop.pay(placed.merchant_uid, placed.amount)
    working = shop.app.extensions["portone"]
    shop.app.extensions["portone"] = PortOneClient("http://127.0.0.1:9", "k", "s", timeout=(0.5, 1))
    try:
        waiting = callback(shop, query["imp_uid"], placed.merchant_uid)
        assert waiting.json == {"status": "pending", "redirect": f"/orders/{placed.token}"}
        assert redirect_door(shop, query).headers["Location"].endswith(f"/orders/{placed.token}")
        assert webhook(shop, {"imp_uid": query["imp_uid"]}).status_code == 503
        page = shop.client.get(f"/orders/{placed.token}").get_data(as_text=True)
        assert "Confirming your payment" in page
    finally:
        shop.app.extensions["portone"] = working

    status = shop.client.get(f"/orders/{placed.token}/status")
    assert status.json == {"status": "paid", "url": f"/orders/{placed.token}"}
    assert shop.product(placed.slug).stock == placed.stock - QUANTITY
    assert [e.outcome for e in events(shop.app)] == ["unavailable"] * 3 + ["paid"]


def test_console_cancel_cancels_a_paid_order_and_returns_the_stock(shop, placed):
    query = shop.pay(placed.merchant_uid, placed.amount)
    callback(shop, query["imp_uid"])
    cancelled = shop.client.post(f"{SANDBOX}/_sandbox/payments/{query['imp_uid']}/cancel", json={})
    assert cancelled.status_code == 200
    assert webhook(shop, {"imp_uid": query["imp_uid"], "status": "cancelled"}).json == {
        "outcome": "cancelled"
    }
    assert shop.order(placed.merchant_uid).status == OrderStatus.CANCELLED
    assert shop.product(placed.slug).stock == placed.stock
    assert webhook(shop, {"imp_uid": query["imp_uid"]}).json == {"outcome": "no_change"}
    assert shop.product(placed.slug).stock == placed.stock


@pytest.mark.parametrize("body", [{}, {"imp_uid": ""}, {"imp_uid": 12}, {"merchant_uid": "x"}])
def test_webhook_without_imp_uid_is_refused(shop, body):
    response = webhook(shop, body)
    assert response.status_code == 400
    assert response.json == {"error": "imp_uid is required."}


@pytest.mark.parametrize("body", ['"imp_123456789012"', '["imp_123456789012"]', "1", "null", "{"])
def test_a_json_body_that_is_not_an_object_is_refused(shop, placed, body):
    headers = {"X-CSRFToken": shop.csrf_token()}
    for path in ("/checkout/complete", "/portone/webhook"):
        response = shop.client.post(
            path, data=body, content_type="application/json", headers=headers
        )
        assert response.status_code == 400
        assert response.json == {"error": "imp_uid is required."}
    assert shop.order(placed.merchant_uid).status == OrderStatus.PENDING


@pytest.mark.parametrize("imp_uid", [".", "..", "../..", "a/../..", "..%2F"])
def test_an_imp_uid_of_dots_is_an_unknown_payment(shop, placed, imp_uid):
    assert webhook(shop, {"imp_uid": imp_uid}).json == {"outcome": "unknown_payment"}
    assert callback(shop, imp_uid).status_code == 404
    assert shop.order(placed.merchant_uid).status == OrderStatus.PENDING


def test_callback_needs_the_csrf_token(shop, placed):
    query = shop.pay(placed.merchant_uid, placed.amount)
    response = shop.client.post("/checkout/complete", json={"imp_uid": query["imp_uid"]})
    assert response.status_code == 400
    assert shop.order(placed.merchant_uid).status == OrderStatus.PENDING
