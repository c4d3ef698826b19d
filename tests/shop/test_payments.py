"""The three doors and ``sync_payment``: PortOne's record decides, and only once."""

import threading

import pytest
from sqlalchemy import select

from shop.extensions import db
from shop.models import Order, OrderStatus
from shop.portone import PortOneClient
from shop.signals import order_paid
from tests.postgres import POSTGRES_URL
from tests.sandbox_controls import AUTHORIZATION
from tests.shop import fake_portone
from tests.shop.actions import ELSEWHERE, SANDBOX, Placed, ShopActions
from tests.shop.apps import make_app

QUANTITY = 2


@pytest.fixture
def placed(shop) -> Placed:
    return shop.place(QUANTITY)


def test_callback_fulfils_the_order(shop, placed):
    query = shop.pay(placed.merchant_uid, placed.amount)
    response = shop.callback(query["imp_uid"])
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
        assert shop.webhook(body).status_code == 200
        assert shop.redirect_door(query).status_code == 303
        assert shop.callback(imp_uid).json["status"] == "paid"
        # Paid by this very payment, and nothing claims otherwise: answered from the database.
        assert shop.webhook(body, form=True).json == {"outcome": "known_paid"}

    # One verification; the echoes left nothing to record.
    assert [(e.source, e.outcome) for e in shop.events()] == [("webhook", "paid")]
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
    placed = shop.place()
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
    assert len(shop.events("paid")) == 1
    # Those that re-fetched while the order was being paid said so; those after it, nothing.
    assert {e.outcome for e in shop.events()} <= {"paid", "already_paid"}
    assert shop.order(placed.merchant_uid).status == OrderStatus.PAID
    assert shop.product(placed.slug).stock == placed.stock - QUANTITY


def test_forged_imp_uid_changes_nothing(shop, placed):
    response = shop.callback("imp_123456789012")
    assert response.status_code == 404
    assert shop.webhook({"imp_uid": "imp_123456789012", "status": "paid"}).json == {
        "outcome": "unknown_payment"
    }
    assert shop.order(placed.merchant_uid).status == OrderStatus.PENDING
    assert [e.outcome for e in shop.events()] == ["unknown_payment", "unknown_payment"]


def test_foreign_payment_changes_nothing(shop, placed):
    query = shop.pay("another_shops_order_1", placed.amount)
    assert shop.callback(query["imp_uid"]).status_code == 404
    redirected = shop.redirect_door(query)
    assert redirected.headers["Location"].endswith("/cart/")
    assert shop.order(placed.merchant_uid).status == OrderStatus.PENDING
    assert shop.product(placed.slug).stock == placed.stock


def test_webhook_body_that_lies_is_ignored(shop):
    declined = shop.place()
    other = shop.place()
    query = shop.pay(declined.merchant_uid, declined.amount, decision="decline")
    lie = {"imp_uid": query["imp_uid"], "merchant_uid": other.merchant_uid, "status": "paid"}
    assert shop.webhook(lie).json == {"outcome": "failed"}
    assert shop.order(declined.merchant_uid).status == OrderStatus.FAILED
    assert shop.order(other.merchant_uid).status == OrderStatus.PENDING
    assert shop.product(declined.slug).stock == declined.stock


def test_imp_success_true_is_not_believed(shop, placed):
    query = shop.pay(placed.merchant_uid, placed.amount, decision="decline")
    query["imp_success"] = "true"
    query.pop("error_code", None)
    query.pop("error_msg", None)
    response = shop.redirect_door(query)
    # Back to the same order, to pay it again: it was not paid, whatever the query said.
    assert response.headers["Location"].endswith(f"/orders/{placed.token}/pay")
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
    assert shop.callback(query["imp_uid"]).json["status"] == OrderStatus.FORGERY

    order = shop.order(placed.merchant_uid)
    assert order.status == OrderStatus.FORGERY
    payment = shop.sandbox_payment(query["imp_uid"])
    assert payment["status"] == "cancelled"
    assert payment["cancel_amount"] == 100
    assert shop.product(placed.slug).stock == placed.stock
    assert [e.outcome for e in shop.events()] == ["forgery", "forgery_refunded"]
    page = shop.client.get(f"/orders/{placed.token}").get_data(as_text=True)
    assert "We could not verify this payment" in page


def test_a_declined_payment_leads_back_to_the_same_order_which_can_be_paid(shop, placed):
    query = shop.pay(placed.merchant_uid, placed.amount, decision="decline")
    assert query["imp_success"] == "false"
    response = shop.redirect_door(query)
    assert response.headers["Location"].endswith(f"/orders/{placed.token}/pay")
    order = shop.order(placed.merchant_uid)
    assert order.status == OrderStatus.FAILED
    assert "결제 승인이 거절되었습니다" in order.fail_reason

    page = shop.client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Kakao Pay did not approve the payment: " in page
    assert "결제 승인이 거절되었습니다" in page
    assert "This is the same order: you can pay it again." in page
    assert f"Pay {placed.amount:,}원 with Kakao Pay" in page
    page = shop.client.get(f"/orders/{placed.token}").get_data(as_text=True)
    assert "Payment failed" in page
    assert "Delivering to" not in page

    # PortOne opens a new window for the merchant_uid whose payment failed.
    query = shop.pay(placed.merchant_uid, placed.amount)
    assert shop.callback(query["imp_uid"]).json == {
        "status": "paid",
        "redirect": f"/orders/{placed.token}",
    }
    with shop.app.app_context():
        assert db.session.scalar(select(db.func.count(Order.id))) == 1
    assert shop.product(placed.slug).stock == placed.stock - QUANTITY


def test_a_cancelled_window_leads_back_to_the_same_order_ready_to_pay(shop, placed):
    query = shop.pay(placed.merchant_uid, placed.amount, decision="cancel")
    response = shop.redirect_door(query)
    assert response.headers["Location"].endswith(f"/orders/{placed.token}/pay")
    page = shop.client.get(response.headers["Location"]).get_data(as_text=True)
    assert "You cancelled the Kakao Pay payment. Nothing was charged." in page
    assert f"Pay {placed.amount:,}원 with Kakao Pay" in page
    assert shop.cart() != {}

    query = shop.pay(placed.merchant_uid, placed.amount)
    assert shop.callback(query["imp_uid"]).json["status"] == OrderStatus.PAID
    with shop.app.app_context():
        assert db.session.scalar(select(db.func.count(Order.id))) == 1


def test_the_payment_page_tells_why_the_latest_try_failed(shop, placed):
    declined = shop.pay(placed.merchant_uid, placed.amount, decision="decline")
    shop.redirect_door(declined)
    cancelled = shop.pay(placed.merchant_uid, placed.amount, decision="cancel")
    response = shop.redirect_door(cancelled)
    page = shop.client.get(response.headers["Location"]).get_data(as_text=True)
    assert "You cancelled the Kakao Pay payment." in page
    assert "결제 승인이 거절되었습니다" not in page
    assert [e.outcome for e in shop.events()] == ["failed", "no_change"]


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
    response = shop.redirect_door(query)
    assert response.headers["Location"].endswith(f"/orders/{placed.token}/pay")
    page = shop.client.get(response.headers["Location"]).get_data(as_text=True)
    assert message in page
    assert lie not in page
    assert shop.order(placed.merchant_uid).status == OrderStatus.PENDING


def test_unreachable_portone_leaves_the_order_pending_until_rechecked(shop, placed):
    query = shop.pay(placed.merchant_uid, placed.amount)
    working = shop.app.extensions["portone"]
    shop.app.extensions["portone"] = PortOneClient("http://127.0.0.1:9", "k", "s", timeout=(0.5, 1))
    try:
        waiting = shop.callback(query["imp_uid"], placed.merchant_uid)
        assert waiting.json == {"status": "pending", "redirect": f"/orders/{placed.token}"}
        assert shop.redirect_door(query).headers["Location"].endswith(f"/orders/{placed.token}")
        assert shop.webhook({"imp_uid": query["imp_uid"]}).status_code == 503
        # The order's page asks PortOne too, and cannot know more: still confirming.
        page = shop.client.get(f"/orders/{placed.token}").get_data(as_text=True)
        assert "Confirming your payment" in page
    finally:
        shop.app.extensions["portone"] = working

    status = shop.client.get(f"/orders/{placed.token}/status")
    assert status.json == {"status": "paid", "confirming": False, "url": f"/orders/{placed.token}"}
    assert shop.product(placed.slug).stock == placed.stock - QUANTITY
    assert [e.outcome for e in shop.events()] == ["unavailable"] * 4 + ["paid"]


def test_console_cancel_cancels_a_paid_order_and_returns_the_stock(shop, placed):
    query = shop.pay(placed.merchant_uid, placed.amount)
    shop.callback(query["imp_uid"])
    cancelled = shop.client.post(
        f"{SANDBOX}/_sandbox/payments/{query['imp_uid']}/cancel", json={}, headers=AUTHORIZATION
    )
    assert cancelled.status_code == 200
    assert shop.webhook({"imp_uid": query["imp_uid"], "status": "cancelled"}).json == {
        "outcome": "cancelled"
    }
    assert shop.order(placed.merchant_uid).status == OrderStatus.CANCELLED
    assert shop.product(placed.slug).stock == placed.stock
    assert shop.webhook({"imp_uid": query["imp_uid"]}).json == {"outcome": "no_change"}
    assert shop.product(placed.slug).stock == placed.stock


@pytest.mark.parametrize("body", [{}, {"imp_uid": ""}, {"imp_uid": 12}, {"merchant_uid": "x"}])
def test_webhook_without_imp_uid_is_refused(shop, body):
    response = shop.webhook(body)
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
    query = shop.pay(placed.merchant_uid, placed.amount)
    imp_uid = imp_uid.format(merchant_uid=placed.merchant_uid)
    refusal = {"error": "imp_uid is not a PortOne payment id."}

    for answer in (
        shop.webhook({"imp_uid": imp_uid}),
        shop.webhook({"imp_uid": imp_uid}, form=True),
        shop.callback(imp_uid, placed.merchant_uid),
    ):
        assert (answer.status_code, answer.json) == (400, refusal)
    page = shop.redirect_door({**query, "imp_uid": imp_uid})
    assert page.status_code == 400
    assert refusal["error"] in page.get_data(as_text=True)

    assert shop.events() == []
    assert shop.order(placed.merchant_uid).status == OrderStatus.PENDING


def test_a_payment_portone_answers_without_its_fields_changes_nothing(shop, placed):
    # What GET /payments/status/paid answers: a page of payments, not a payment.
    page_of_payments = {"total": 0, "previous": 0, "next": 0, "list": []}
    working = shop.app.extensions["portone"]
    with fake_portone.answering(page_of_payments) as odd:
        shop.app.extensions["portone"] = odd
        try:
            assert shop.webhook({"imp_uid": "imp_123456789012"}).json == {"outcome": "refused"}
            assert shop.callback("imp_123456789012").status_code == 404
            assert shop.redirect_door({"imp_uid": "imp_123456789012"}).status_code == 303
        finally:
            shop.app.extensions["portone"] = working
    assert [e.outcome for e in shop.events()] == ["refused"] * 3
    assert shop.order(placed.merchant_uid).status == OrderStatus.PENDING


def test_callback_from_elsewhere_needs_the_csrf_token(shop, placed):
    query = shop.pay(placed.merchant_uid, placed.amount)
    response = shop.client.post(
        "/checkout/complete", json={"imp_uid": query["imp_uid"]}, headers=ELSEWHERE
    )
    assert response.status_code == 400
    assert shop.order(placed.merchant_uid).status == OrderStatus.PENDING
