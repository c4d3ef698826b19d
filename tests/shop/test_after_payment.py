"""After the window: the confirmation (paid time in KST, the delivery, what happens next), the
"how this payment was verified" timeline, and a pending order that was never paid."""

import html
import re
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from shop.extensions import db
from shop.format import kst
from shop.models import Order, OrderStatus, utcnow
from tests.shop.actions import BUYER, Placed

QUANTITY = 2


@pytest.fixture
def placed(shop) -> Placed:
    return shop.place(QUANTITY)


def order_page(shop, placed: Placed) -> str:
    return shop.client.get(f"/orders/{placed.token}").get_data(as_text=True)


def timeline(page: str) -> list[str]:
    """The timeline's steps as text, oldest first."""
    steps = re.findall(r'<li class="timeline-step[^"]*">(.*?)</li>', page, re.S)
    return [html.unescape(" ".join(re.sub(r"<[^>]+>", " ", step).split())) for step in steps]


def test_the_confirmation_shows_the_paid_time_in_kst_the_delivery_and_the_next_step(shop, placed):
    query = shop.pay(placed.merchant_uid, placed.amount)
    shop.callback(query["imp_uid"])
    paid_at = shop.order(placed.merchant_uid).paid_at

    page = order_page(shop, placed)
    assert "Thank you! Your order is paid." in page
    assert 'class="success-mark"' in page
    assert f"<dt>Paid at</dt><dd>{(paid_at + timedelta(hours=9)):%Y-%m-%d %H:%M} KST</dd>" in page
    assert "UTC" not in page
    assert f"Delivering to {BUYER['buyer_name']}, {BUYER['buyer_addr']}" in page
    assert "What happens next" in page


@pytest.mark.parametrize(
    ("moment", "shown"),
    [
        ("2026-11-27 05:03", "2026-11-27 14:03 KST"),
        # Past 15:00 UTC it is the next day in Korea.
        ("2026-12-31 15:30", "2027-01-01 00:30 KST"),
    ],
)
def test_kst_is_nine_hours_ahead_of_the_stored_utc(app, moment, shown):
    with app.app_context():
        assert kst(datetime.fromisoformat(moment)) == shown


def test_the_timeline_tells_each_arrival_its_fetch_and_its_verdict(shop, placed):
    query = shop.pay(placed.merchant_uid, placed.amount)
    imp_uid = query["imp_uid"]
    shop.callback(imp_uid)
    # Claims a cancel, so the shop asks PortOne, which says paid.
    shop.webhook({"imp_uid": imp_uid, "status": "cancelled"})
    # Of an order paid by that payment, claiming nothing else: answered from the database.
    shop.redirect_door(query)
    shop.webhook({"imp_uid": imp_uid, "status": "paid"})

    steps = timeline(order_page(shop, placed))
    assert len(steps) == 2
    callback, webhook = steps
    assert "(the page's callback)" in callback
    assert f"asked PortOne for payment {imp_uid} itself ( GET /payments/{{imp_uid}} )" in callback
    assert "PortOne confirmed the payment of the order's amount: order paid." in callback
    assert "(the webhook)" in webhook
    assert "Already confirmed, so nothing changed" in webhook
    assert "KST" in callback


def test_the_timeline_folds_repeats_and_shows_a_decline_then_the_payment(shop, placed):
    declined = shop.pay(placed.merchant_uid, placed.amount, decision="decline")
    shop.redirect_door(declined)
    shop.webhook({"imp_uid": declined["imp_uid"]})
    shop.webhook({"imp_uid": declined["imp_uid"]})
    paid = shop.pay(placed.merchant_uid, placed.amount)
    shop.callback(paid["imp_uid"])

    steps = timeline(order_page(shop, placed))
    assert len(steps) == 3
    redirect, webhooks, callback = steps
    assert "Kakao Pay did not approve it: " in redirect
    assert "결제 승인이 거절되었습니다" in redirect
    assert "· 2 times" in webhooks
    assert paid["imp_uid"] in callback
    assert "order paid" in callback


def test_a_pending_order_without_a_payment_says_so_and_offers_to_pay(shop, placed):
    page = order_page(shop, placed)
    assert "<h1>This order is not paid yet</h1>" in page
    assert "Confirming your payment" not in page
    assert "confirming.js" not in page
    assert f'href="/orders/{placed.token}/pay"' in page
    assert "Delivering to" not in page
    assert "Nothing about a payment of this order has reached the shop yet." in page
    status = shop.client.get(f"/orders/{placed.token}/status").json
    assert status == {"status": "pending", "confirming": False, "url": f"/orders/{placed.token}"}


def test_a_window_left_open_is_not_paid_yet_either(shop, placed):
    # The window opened (PortOne holds a "ready" payment) and was never decided.
    shop.client.post(
        "/portone-sandbox/window/open",
        data={
            "mode": "overlay",
            "origin": "http://localhost",
            "request_id": "open-window-1",
            "imp_code": "imp00000000",
            "params": (
                f'{{"pg": "kakaopay", "merchant_uid": "{placed.merchant_uid}",'
                f' "amount": {placed.amount}, "name": "차"}}'
            ),
        },
    )
    page = order_page(shop, placed)
    assert "<h1>This order is not paid yet</h1>" in page
    assert "Not paid yet: the Kakao Pay window was still open." in page


def set_status(shop, placed: Placed, status: OrderStatus) -> None:
    with shop.app.app_context():
        order = db.session.scalar(select(Order).where(Order.token == placed.token))
        order.status = status
        if status == OrderStatus.REPLACED:
            order.replaced_by_id = order.id
        db.session.commit()


@pytest.mark.parametrize(
    "status",
    [
        OrderStatus.FAILED,
        OrderStatus.CANCELLED,
        OrderStatus.EXPIRED,
        OrderStatus.SOLD_OUT,
        OrderStatus.FORGERY,
        OrderStatus.REPLACED,
    ],
)
def test_only_an_order_that_ships_says_delivering_to(shop, placed, status):
    set_status(shop, placed, status)
    page = order_page(shop, placed)
    assert f'data-status="{status}"' in page
    assert "Delivering to" not in page


def test_the_payment_page_shows_the_order_in_words(shop, placed):
    page = shop.client.get(f"/orders/{placed.token}/pay").get_data(as_text=True)
    name = shop.order(placed.merchant_uid).name
    assert "<h1>Pay for your order</h1>" in page
    assert f'<h2 id="pay-heading" lang="ko">{name}</h2>' in page
    # The order number is there, as a fact, not as the heading.
    assert f"<dt>Order number</dt><dd>{placed.merchant_uid}</dd>" in page
    assert f"Order {placed.merchant_uid}</h2>" not in page
    with shop.app.app_context():
        payable_until = kst(shop.order(placed.merchant_uid).payable_until)
    assert f"<dt>Pay by</dt><dd>{payable_until}</dd>" in page


def test_an_expired_orders_deadline_is_shown_in_kst(shop, placed):
    with shop.app.app_context():
        order = db.session.scalar(select(Order).where(Order.token == placed.token))
        order.payable_until = moment = utcnow() - timedelta(minutes=1)
        db.session.commit()
        deadline = kst(moment)
    page = order_page(shop, placed)
    assert "This order has expired" in page
    assert f"could be paid until {deadline}." in page
