"""Cancel, resume, and removing the saved Kakao Pay, over HTTP; and that no one but the
subscriber can see or change a subscription."""

import re

import pytest

from shop.models import OrderStatus, PeriodStatus, SubscriptionStatus
from tests.language import kst_in
from tests.shop.account_actions import keys
from tests.shop.actions import ShopActions
from tests.shop.subscription_actions import (
    DAY,
    PLAN,
    booking,
    complete,
    payments_of,
    run_due,
    subscribe,
    subscriber,
    subscription,
)

BUTTON_FORM = re.compile(r'<form [^>]*action="(/subscriptions/\d+/(?:cancel|resume))">')


@pytest.fixture
def buyer(app) -> ShopActions:
    shop = subscriber(app)
    subscribe(shop)
    return shop


@pytest.fixture
def stranger(app) -> ShopActions:
    return subscriber(app, "other@example.com")


def press(shop: ShopActions, action: str, subscription_id: int):
    return shop.post(f"/subscriptions/{subscription_id}/{action}", {})


def test_the_account_page_shows_the_plan_next_charge_and_receipts(buyer):
    mine = subscription(buyer.app)
    page = buyer.client.get("/account/").get_data(as_text=True)
    assert PLAN["name"] in page
    assert "Active" in page
    following = mine.periods[1]
    assert f"{kst_in(buyer.app, following.charge_at)} · 19,900원" in page
    assert mine.periods[0].order.receipt_url in page
    assert BUTTON_FORM.findall(page) == [f"/subscriptions/{mine.id}/cancel"]


def test_my_orders_leaves_the_charges_to_the_account_page(buyer):
    page = buyer.client.get("/account/orders").get_data(as_text=True)
    assert subscription(buyer.app).periods[0].order.merchant_uid not in page


def test_cancel_revokes_the_booking_and_nothing_more_is_charged(buyer):
    mine = subscription(buyer.app)
    merchant_uid = mine.periods[1].order.merchant_uid

    response = press(buyer, "cancel", mine.id)

    assert response.status_code == 303
    cancelled = subscription(buyer.app)
    assert cancelled.status == SubscriptionStatus.CANCELLED
    assert cancelled.paid_until == mine.paid_until
    assert cancelled.periods[1].status == PeriodStatus.REVOKED
    assert booking(buyer.app, merchant_uid)["schedule_status"] == "revoked"
    page = buyer.client.get("/account/").get_data(as_text=True)
    assert "Cancelled: ends on" in page
    assert BUTTON_FORM.findall(page) == [f"/subscriptions/{mine.id}/resume"]

    run_due(buyer, 40 * DAY)
    assert payments_of(buyer.app, merchant_uid) == []
    assert subscription(buyer.app).periods[1].order.status == OrderStatus.PENDING


def test_resume_books_the_next_charge_again(buyer):
    mine = subscription(buyer.app)
    press(buyer, "cancel", mine.id)

    assert press(buyer, "resume", mine.id).status_code == 303

    resumed = subscription(buyer.app)
    assert resumed.status == SubscriptionStatus.ACTIVE
    following = resumed.periods[1]
    assert following.status == PeriodStatus.BOOKED
    booked = booking(buyer.app, following.order.merchant_uid)
    assert booked["schedule_status"] == "scheduled"
    assert booked["customer_uid"] == keys(buyer.app)[0].customer_uid

    run_due(buyer, 40 * DAY)
    assert [p["status"] for p in payments_of(buyer.app, following.order.merchant_uid)] == ["paid"]


def test_a_charge_that_ran_before_the_cancel_reached_portone_is_refunded(buyer):
    mine = subscription(buyer.app)
    merchant_uid = mine.periods[1].order.merchant_uid
    # PortOne charges the period at the very moment the buyer cancels: its revoke finds
    # nothing left, and the webhook arrives after.
    run_due(buyer, 40 * DAY)
    assert press(buyer, "cancel", mine.id).status_code == 303
    body = {"imp_uid": booking(buyer.app, merchant_uid)["imp_uid"]}

    assert buyer.webhook(body).status_code == 200

    [payment] = payments_of(buyer.app, merchant_uid)
    assert payment["status"] == "cancelled"
    assert subscription(buyer.app).periods[1].order.status == OrderStatus.CANCELLED
    assert subscription(buyer.app).status == SubscriptionStatus.CANCELLED


def test_removing_the_key_warns_and_ends_the_subscription(buyer):
    page = buyer.client.get("/account/kakao-pay/remove").get_data(as_text=True)
    assert "This ends your subscription" in page
    assert PLAN["name"] in page
    merchant_uid = subscription(buyer.app).periods[1].order.merchant_uid

    buyer.post("/account/kakao-pay/remove", {})

    assert keys(buyer.app) == []
    mine = subscription(buyer.app)
    assert mine.status == SubscriptionStatus.CANCELLED
    assert "removed" in mine.fail_reason
    assert booking(buyer.app, merchant_uid)["schedule_status"] == "revoked"
    # Without a saved Kakao Pay it cannot resume.
    press(buyer, "resume", mine.id)
    assert subscription(buyer.app).status == SubscriptionStatus.CANCELLED


def test_no_one_else_can_cancel_resume_or_see_it(buyer, stranger):
    mine = subscription(buyer.app)
    for action in ("cancel", "resume"):
        assert press(stranger, action, mine.id).status_code == 404
    assert subscription(buyer.app).status == SubscriptionStatus.ACTIVE

    page = stranger.client.get("/account/").get_data(as_text=True)
    assert PLAN["name"] not in page
    assert "No subscriptions." in page

    # The buyer's own payment, brought to the stranger's door, shows nothing of it.
    first = mine.periods[0].order
    answer = complete(stranger, {"imp_uid": first.imp_uid})
    assert answer.status_code == 404
    assert first.merchant_uid not in answer.get_data(as_text=True)
    phone = complete(stranger, {"imp_uid": first.imp_uid}, phone=True)
    assert phone.headers["Location"] == "/plans"


@pytest.mark.parametrize("action", ["cancel", "resume"])
def test_an_unknown_subscription_is_not_found(buyer, action):
    assert press(buyer, action, 999).status_code == 404


@pytest.mark.parametrize(
    "body", [{}, {"imp_uid": "status/paid"}, {"imp_uid": ["imp_1"]}, {"imp_uid": "imp_" + "1" * 40}]
)
def test_the_door_refuses_what_is_not_an_imp_uid(buyer, body):
    answer = buyer.client.post(
        "/subscriptions/complete", json=body, headers={"X-CSRFToken": buyer.csrf_token()}
    )
    assert answer.status_code == 400
