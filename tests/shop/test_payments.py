"""The three doors and ``sync_payment``: PortOne's record decides, and only once."""

import threading

import pytest
from sqlalchemy import select

from shop.extensions import db
from shop.models import Order, OrderStatus
from shop.portone import PortOneClient
from shop.signals import order_paid
from tests.conftest import POSTGRES_URL
from tests.sandbox_controls import AUTHORIZATION
from tests.shop import fake_portone
from tests.shop.conftest import make_app
from tests.shop.payflow import (
    BUYER,
    SANDBOX,
    Placed,
    callback,
    events,
    order_by_uid,
    pay,
    place,
    redirect_door,
    sandbox_payment,
    webhook,
)

QUANTITY = 2


@pytest.fixture
def placed(shop) -> Placed:
    return place(shop, QUANTITY)


def test_callback_fulfils_the_order(shop, placed):
    query = pay(shop.client, placed.merchant_uid, placed.amount)
    response = callback(shop, query["imp_uid"])
    assert response.status_code == 200
    assert response.json == {"status": "paid", "redirect": f"/orders/{placed.token}"}

    order = order_by_uid(shop.app, placed.merchant_uid)
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
    query = pay(shop.client, placed.merchant_uid, placed.amount, pay_with="card")
    imp_uid = query["imp_uid"]
    body = {"imp_uid": imp_uid, "merchant_uid": placed.merchant_uid, "status": "paid"}
    for _ in range(3):
        assert webhook(shop, body).status_code == 200
        assert redirect_door(shop, query).status_code == 303
        assert callback(shop, imp_uid).json["status"] == "paid"
        assert webhook(shop, body, form=True).json == {"outcome": "already_paid"}

    assert [e.source for e in events(shop.app, "paid")] == ["webhook"]
    assert len(events(shop.app, "already_paid")) == 11
    assert shop.product(placed.slug).stock == placed.stock - QUANTITY
    assert order_by_uid(shop.app, placed.merchant_uid).pay_method == "card"


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
    from tests.shop.conftest import ShopActions

    shop = ShopActions(app, app.test_client())
    placed = place(shop)
    query = pay(shop.client, placed.merchant_uid, placed.amount)
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
        # The buyer's own browser: only it is sent to the order.
        client.set_cookie("session", shop.client.get_cookie("session").value)
        token = ShopActions(app, client).csrf_token()
        start.wait()
        statuses.append(door(client, token).status_code)

    paid_orders: list[str] = []
    threads = [threading.Thread(target=knock, args=(door,)) for door in doors]
    with order_paid.connected_to(lambda order: paid_orders.append(order.merchant_uid)):
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)

    assert sorted(statuses) == [200] * 8 + [303] * 4
    assert paid_orders == [placed.merchant_uid]
    assert len(events(app, "paid")) == 1
    assert len(events(app, "already_paid")) == len(doors) - 1
    assert order_by_uid(app, placed.merchant_uid).status == OrderStatus.PAID
    assert shop.product(placed.slug).stock == placed.stock - QUANTITY


def test_forged_imp_uid_changes_nothing(shop, placed):
    response = callback(shop, "imp_123456789012")
    assert response.status_code == 404
    assert webhook(shop, {"imp_uid": "imp_123456789012", "status": "paid"}).json == {
        "outcome": "unknown_payment"
    }
    assert order_by_uid(shop.app, placed.merchant_uid).status == OrderStatus.PENDING
    assert [e.outcome for e in events(shop.app)] == ["unknown_payment", "unknown_payment"]


def test_foreign_payment_changes_nothing(shop, placed):
    query = pay(shop.client, "another_shops_order_1", placed.amount)
    assert callback(shop, query["imp_uid"]).status_code == 404
    redirected = redirect_door(shop, query)
    assert redirected.headers["Location"].endswith("/cart/")
    assert order_by_uid(shop.app, placed.merchant_uid).status == OrderStatus.PENDING
    assert shop.product(placed.slug).stock == placed.stock


def test_webhook_body_that_lies_is_ignored(shop):
    declined = place(shop)
    other = place(shop)
    query = pay(shop.client, declined.merchant_uid, declined.amount, decision="decline")
    lie = {"imp_uid": query["imp_uid"], "merchant_uid": other.merchant_uid, "status": "paid"}
    assert webhook(shop, lie).json == {"outcome": "failed"}
    assert order_by_uid(shop.app, declined.merchant_uid).status == OrderStatus.FAILED
    assert order_by_uid(shop.app, other.merchant_uid).status == OrderStatus.PENDING
    assert shop.product(declined.slug).stock == declined.stock


def test_imp_success_true_is_not_believed(shop, placed):
    query = pay(shop.client, placed.merchant_uid, placed.amount, decision="decline")
    query["imp_success"] = "true"
    query.pop("error_code", None)
    query.pop("error_msg", None)
    response = redirect_door(shop, query)
    assert response.headers["Location"].endswith(f"/orders/{placed.token}")
    assert order_by_uid(shop.app, placed.merchant_uid).status == OrderStatus.FAILED


def test_amount_that_differs_is_refunded_and_flagged(shop, placed):
    # Had the prepare been skipped, a tampered page could have paid less: simulate that.
    with shop.app.test_request_context():
        token = shop.app.extensions["portone"].access_token()
    shop.client.put(
        f"{SANDBOX}/payments/prepare",
        json={"merchant_uid": placed.merchant_uid, "amount": 100},
        headers={"Authorization": token},
    )
    query = pay(shop.client, placed.merchant_uid, 100)
    assert callback(shop, query["imp_uid"]).json["status"] == OrderStatus.FORGERY

    order = order_by_uid(shop.app, placed.merchant_uid)
    assert order.status == OrderStatus.FORGERY
    payment = sandbox_payment(shop.app, query["imp_uid"])
    assert payment["status"] == "cancelled"
    assert payment["cancel_amount"] == 100
    assert shop.product(placed.slug).stock == placed.stock
    assert [e.outcome for e in events(shop.app)] == ["forgery", "forgery_refunded"]
    page = shop.client.get(f"/orders/{placed.token}").get_data(as_text=True)
    assert "We could not verify this payment" in page


def test_declined_payment_fails_and_retry_uses_a_new_merchant_uid(shop, placed):
    query = pay(shop.client, placed.merchant_uid, placed.amount, decision="decline")
    assert query["imp_success"] == "false"
    response = redirect_door(shop, query)
    assert response.headers["Location"].endswith(f"/orders/{placed.token}")
    order = order_by_uid(shop.app, placed.merchant_uid)
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
    query = pay(shop.client, new.merchant_uid, new.amount)
    assert callback(shop, query["imp_uid"]).json["status"] == "paid"


def test_buyer_cancel_goes_back_to_checkout_with_a_message(shop, placed):
    query = pay(shop.client, placed.merchant_uid, placed.amount, decision="cancel")
    response = redirect_door(shop, query)
    assert response.headers["Location"].endswith("/checkout")
    page = shop.client.get("/checkout").get_data(as_text=True)
    assert "You cancelled the Kakao Pay payment. Nothing was charged." in page
    assert BUYER["buyer_addr"] in page
    assert shop.cart() != {}


@pytest.mark.parametrize(
    ("error_code", "message"),
    [
        ("F1003", "The amount did not match this order, so Kakao Pay did not open."),
        ("F1002", "This order has already been paid."),
        ("F1004", "A Kakao Pay window is already open. Finish or close it first."),
        ("F9999", "Kakao Pay could not start the payment. Nothing was charged."),
        (None, "Kakao Pay could not start the payment. Nothing was charged."),
    ],
)
def test_phone_redirect_without_a_payment_shows_the_shops_own_words(
    shop, placed, error_code, message
):
    # The query string is anyone's to write: its error_msg must not speak as the shop.
    lie = "결제 오류: 고객센터 010-0000-0000 으로 카드번호를 알려주세요"
    query = {"merchant_uid": placed.merchant_uid, "imp_success": "false", "error_msg": lie}
    if error_code:
        query["error_code"] = error_code
    response = redirect_door(shop, query)
    assert response.headers["Location"].endswith(f"/orders/{placed.token}/pay")
    page = shop.client.get(response.headers["Location"]).get_data(as_text=True)
    assert message in page
    assert lie not in page
    assert order_by_uid(shop.app, placed.merchant_uid).status == OrderStatus.PENDING


def test_unreachable_portone_leaves_the_order_pending_until_rechecked(shop, placed):
    query = pay(shop.client, placed.merchant_uid, placed.amount)
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
    query = pay(shop.client, placed.merchant_uid, placed.amount)
    callback(shop, query["imp_uid"])
    cancelled = shop.client.post(
        f"{SANDBOX}/_sandbox/payments/{query['imp_uid']}/cancel", json={}, headers=AUTHORIZATION
    )
    assert cancelled.status_code == 200
    assert webhook(shop, {"imp_uid": query["imp_uid"], "status": "cancelled"}).json == {
        "outcome": "cancelled"
    }
    assert order_by_uid(shop.app, placed.merchant_uid).status == OrderStatus.CANCELLED
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
    assert order_by_uid(shop.app, placed.merchant_uid).status == OrderStatus.PENDING


# imp_uids PortOne never issues; most would reach another endpoint once %2F is decoded.
BAD_IMP_UIDS = {
    "status-endpoint": "status/paid",
    "find-endpoint": "find/{merchant_uid}",
    "find-paid-endpoint": "find/{merchant_uid}/paid",
    "prepare-endpoint": "prepare/{merchant_uid}",
    "dot": ".",
    "dots": "..",
    "up-and-over": "../users/getToken",
    "encoded-slash": "..%2F",
    "full-width-digits": "imp_１２３４５６７８９０１２",
    "too-long": "imp_" + "1" * 70_000,
}


@pytest.mark.parametrize("imp_uid", BAD_IMP_UIDS.values(), ids=BAD_IMP_UIDS.keys())
def test_an_imp_uid_not_of_portones_shape_is_a_400_at_every_door(shop, placed, imp_uid):
    # Paid in the window, not yet confirmed: a door that reached find/<merchant_uid> would sync it.
    query = pay(shop.client, placed.merchant_uid, placed.amount)
    imp_uid = imp_uid.format(merchant_uid=placed.merchant_uid)
    refusal = {"error": "imp_uid is not a PortOne payment id."}

    for answer in (
        webhook(shop, {"imp_uid": imp_uid}),
        webhook(shop, {"imp_uid": imp_uid}, form=True),
        callback(shop, imp_uid, placed.merchant_uid),
    ):
        assert (answer.status_code, answer.json) == (400, refusal)
    page = redirect_door(shop, {**query, "imp_uid": imp_uid})
    assert page.status_code == 400
    assert refusal["error"] in page.get_data(as_text=True)

    assert events(shop.app) == []
    assert order_by_uid(shop.app, placed.merchant_uid).status == OrderStatus.PENDING


def test_a_payment_portone_answers_without_its_fields_changes_nothing(shop, placed):
    # What GET /payments/status/paid answers: a page of payments, not a payment.
    page_of_payments = {"total": 0, "previous": 0, "next": 0, "list": []}
    working = shop.app.extensions["portone"]
    with fake_portone.answering(page_of_payments) as odd:
        shop.app.extensions["portone"] = odd
        try:
            assert webhook(shop, {"imp_uid": "imp_123456789012"}).json == {"outcome": "refused"}
            assert callback(shop, "imp_123456789012").status_code == 404
            assert redirect_door(shop, {"imp_uid": "imp_123456789012"}).status_code == 303
        finally:
            shop.app.extensions["portone"] = working
    assert [e.outcome for e in events(shop.app)] == ["refused"] * 3
    assert order_by_uid(shop.app, placed.merchant_uid).status == OrderStatus.PENDING


def test_callback_needs_the_csrf_token(shop, placed):
    query = pay(shop.client, placed.merchant_uid, placed.amount)
    response = shop.client.post("/checkout/complete", json={"imp_uid": query["imp_uid"]})
    assert response.status_code == 400
    assert order_by_uid(shop.app, placed.merchant_uid).status == OrderStatus.PENDING
