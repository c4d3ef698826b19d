"""Subscribing and renewing over HTTP: one Kakao Pay window takes the first charge and saves the
key, each renewal is a scheduled payment whose webhook goes through ``sync_payment``, and
whatever arrives twice, or late, or out of order, charges a period once."""

import pytest

from shop.models import (
    BillingKey,
    OrderStatus,
    PaymentEvent,
    PeriodStatus,
    SubscriptionStatus,
)
from shop.subscriptions.clock import add_months, from_unix, to_unix
from shop.subscriptions.renewals import RETRY_AFTER
from tests.sandbox_controls import AUTHORIZATION
from tests.shop.account_actions import keys, save_kakao_pay, sign_up
from tests.shop.actions import SANDBOX, ShopActions
from tests.shop.subscription_actions import (
    PLAN,
    PRICE,
    booking,
    complete,
    payments_of,
    period,
    run_due,
    subscribe,
    subscriber,
    subscription,
    webhook_of,
    window_params,
    with_plans,
)


@pytest.fixture
def buyer(app) -> ShopActions:
    return subscriber(app)


def second(app) -> str:
    """The merchant_uid of the account's subscription's second period."""
    return subscription(app).periods[1].order.merchant_uid


def renew(shop: ShopActions, merchant_uid: str, copies: int = 1) -> dict:
    """Let PortOne's clock reach the period's charge and run it; deliver its webhook."""
    due = period(shop.app, merchant_uid).charge_at
    now = shop.client.get(f"{SANDBOX}/_sandbox/clock", headers=AUTHORIZATION).json["now"]
    run_due(shop, max(to_unix(due) - now, 0) + 60)
    body = webhook_of(shop.app, merchant_uid)
    for _ in range(copies):
        assert shop.webhook(body).status_code == 200
    return body


# Subscribing ------------------------------------------------------------------------------


def test_the_window_asks_for_the_first_charge_and_a_key_of_the_servers(buyer):
    params = window_params(buyer).json["params"]
    first = subscription(buyer.app)
    assert params["merchant_uid"] == f"sub_{first.id}_p1"
    assert params["amount"] == PRICE
    assert params["customer_uid"] == first.customer_uid
    assert params["customer_uid"].startswith("cu_")
    assert params["m_redirect_url"] == "http://localhost/subscriptions/complete"
    assert params["notice_url"] == "http://localhost/portone/webhook"
    assert first.status == SubscriptionStatus.PENDING
    # A second press (another tab) opens the window for the same first charge.
    assert window_params(buyer).json["params"]["merchant_uid"] == params["merchant_uid"]


def test_subscribing_charges_once_saves_the_key_and_books_the_next_month(buyer):
    query = subscribe(buyer)

    mine = subscription(buyer.app)
    first, following = mine.periods
    assert mine.status == SubscriptionStatus.ACTIVE
    assert (first.status, first.order.status, first.order.amount) == (
        PeriodStatus.PAID,
        OrderStatus.PAID,
        PRICE,
    )
    assert first.order.imp_uid == query["imp_uid"]
    assert mine.started_at == first.order.paid_at.replace(microsecond=0)
    assert mine.paid_until == add_months(mine.started_at, 1) == following.starts_at
    [key] = keys(buyer.app)
    assert key.customer_uid == mine.customer_uid

    assert following.status == PeriodStatus.BOOKED
    booked = booking(buyer.app, following.order.merchant_uid)
    assert booked["schedule_status"] == "scheduled"
    assert booked["schedule_at"] == to_unix(following.charge_at)
    assert (booked["amount"], booked["customer_uid"]) == (PRICE, key.customer_uid)


def test_subscribing_on_a_phone_comes_back_through_the_redirect(buyer):
    answer = window_params(buyer)
    query = buyer.decide_in_window(answer.json["params"], "approve", "point")
    response = complete(buyer, query, phone=True)
    assert response.status_code == 303
    assert response.headers["Location"] == "/account/"
    assert subscription(buyer.app).status == SubscriptionStatus.ACTIVE
    page = buyer.client.get("/account/").get_data(as_text=True)
    assert f"You subscribe to {PLAN['name']}." in page


def test_the_webhook_alone_starts_the_subscription(buyer):
    answer = window_params(buyer)
    query = buyer.decide_in_window(answer.json["params"], "approve", "card")
    assert buyer.webhook({"imp_uid": query["imp_uid"]}).status_code == 200
    assert subscription(buyer.app).status == SubscriptionStatus.ACTIVE
    # The browser's door, arriving after, finds it done.
    assert complete(buyer, query).json == {"redirect": "/account/"}
    assert len(subscription(buyer.app).periods) == 2


def test_a_cancelled_window_charges_nothing_and_can_be_opened_again(buyer):
    subscribe(buyer, decision="cancel")
    assert subscription(buyer.app).status == SubscriptionStatus.PENDING
    assert keys(buyer.app) == []

    query = subscribe(buyer)
    mine = subscription(buyer.app)
    assert mine.status == SubscriptionStatus.ACTIVE
    assert mine.periods[0].order.merchant_uid == query["merchant_uid"]


def test_a_subscribed_account_cannot_subscribe_again(buyer):
    subscribe(buyer)
    answer = window_params(buyer)
    assert answer.status_code == 409
    assert "already subscribe" in answer.json["error"]


def test_subscribing_needs_the_delivery_details(app):
    with_plans(app)
    shop = ShopActions(app, app.test_client())
    sign_up(shop)
    answer = window_params(shop)
    assert answer.status_code == 409
    assert "delivery details" in answer.json["error"]


def test_a_guest_is_asked_to_log_in(app, client):
    with_plans(app)
    page = client.get("/plans").get_data(as_text=True)
    assert "Log in to subscribe" in page
    shop = ShopActions(app, client)
    answer = window_params(shop)
    assert answer.status_code == 401


# Renewals --------------------------------------------------------------------------------


def test_a_renewal_is_charged_once_whatever_its_webhook_does(buyer):
    subscribe(buyer)
    merchant_uid = second(buyer.app)

    body = renew(buyer, merchant_uid, copies=3)

    mine = subscription(buyer.app)
    paid, following = mine.periods[1], mine.periods[2]
    assert paid.status == PeriodStatus.PAID
    assert paid.order.status == OrderStatus.PAID
    assert paid.order.imp_uid == body["imp_uid"]
    assert body["imp_uid"].startswith("imps_")
    assert mine.paid_until == paid.ends_at == following.starts_at
    assert following.status == PeriodStatus.BOOKED
    assert booking(buyer.app, following.order.merchant_uid)["schedule_status"] == "scheduled"
    assert [p["status"] for p in payments_of(buyer.app, merchant_uid)] == ["paid"]
    with buyer.app.app_context():
        outcomes = [
            event.outcome
            for event in PaymentEvent.query.filter_by(order_id=paid.order_id).order_by(
                PaymentEvent.id
            )
        ]
    # The copies after the first find the order paid by that payment: answered from the
    # database, they leave no event.
    assert outcomes == ["paid"]


def test_each_period_counts_from_the_first_charge(buyer):
    subscribe(buyer)
    renew(buyer, second(buyer.app))
    renew(buyer, subscription(buyer.app).periods[2].order.merchant_uid)
    mine = subscription(buyer.app)
    assert [p.starts_at for p in mine.periods] == [
        add_months(mine.started_at, months) for months in range(4)
    ]
    assert [p.status for p in mine.periods] == [PeriodStatus.PAID] * 3 + [PeriodStatus.BOOKED]


def test_a_declined_renewal_is_past_due_and_tried_again_a_day_later(buyer):
    subscribe(buyer, decline_charges=True)
    merchant_uid = second(buyer.app)

    body = renew(buyer, merchant_uid, copies=2)

    mine = subscription(buyer.app)
    retry = mine.periods[1]
    assert mine.status == SubscriptionStatus.PAST_DUE
    assert mine.fail_reason == "잔액이 부족합니다."
    assert (retry.status, retry.declines) == (PeriodStatus.BOOKED, 1)
    failed = payments_of(buyer.app, merchant_uid)
    assert [p["status"] for p in failed] == ["failed"]
    assert retry.charge_at == from_unix(failed[0]["failed_at"]) + RETRY_AFTER[0]
    again = booking(buyer.app, merchant_uid)
    assert again["schedule_status"] == "scheduled"
    assert again["schedule_at"] == to_unix(retry.charge_at)
    assert body["imp_uid"] != again["imp_uid"]
    page = buyer.client.get("/account/").get_data(as_text=True)
    assert "Past due" in page
    assert "Kakao Pay declined the renewal: 잔액이 부족합니다." in page


def test_after_the_last_retry_is_declined_the_subscription_ends(buyer):
    subscribe(buyer, decline_charges=True)
    merchant_uid = second(buyer.app)
    renew(buyer, merchant_uid)
    renew(buyer, merchant_uid)
    assert subscription(buyer.app).periods[1].declines == 2
    renew(buyer, merchant_uid)

    mine = subscription(buyer.app)
    assert mine.status == SubscriptionStatus.ENDED
    assert mine.periods[1].status == PeriodStatus.DECLINED
    assert len(mine.periods) == 2
    assert [p["status"] for p in payments_of(buyer.app, merchant_uid)] == ["failed"] * 3
    assert booking(buyer.app, merchant_uid)["schedule_status"] == "executed"
    page = buyer.client.get("/account/").get_data(as_text=True)
    assert "Ended" in page
    # Ended, the plan can be subscribed to again.
    assert window_params(buyer).status_code == 200


def test_a_late_copy_of_an_earlier_decline_counts_once(buyer):
    subscribe(buyer, decline_charges=True)
    merchant_uid = second(buyer.app)
    first_decline = renew(buyer, merchant_uid)
    second_decline = renew(buyer, merchant_uid)

    # Out of order: the first decline's webhook again, after the second's.
    assert buyer.webhook(first_decline).status_code == 200
    assert buyer.webhook(second_decline).status_code == 200

    retry = subscription(buyer.app).periods[1]
    assert retry.declines == 2
    assert retry.status == PeriodStatus.BOOKED
    assert subscription(buyer.app).status == SubscriptionStatus.PAST_DUE


def test_a_late_decline_after_the_retry_was_paid_changes_nothing(buyer):
    subscribe(buyer, decline_charges=True)
    merchant_uid = second(buyer.app)
    declined = renew(buyer, merchant_uid)
    # The buyer replaces the declining key: the period is charged at once and paid.
    save_kakao_pay(buyer)
    assert subscription(buyer.app).status == SubscriptionStatus.ACTIVE

    assert buyer.webhook(declined).status_code == 200

    mine = subscription(buyer.app)
    assert mine.status == SubscriptionStatus.ACTIVE
    assert mine.periods[1].status == PeriodStatus.PAID
    assert sorted(p["status"] for p in payments_of(buyer.app, merchant_uid)) == ["failed", "paid"]


def test_replacing_the_key_while_past_due_charges_it_at_once(buyer):
    subscribe(buyer, decline_charges=True)
    merchant_uid = second(buyer.app)
    renew(buyer, merchant_uid)
    old_key = keys(buyer.app)[0].customer_uid

    save_kakao_pay(buyer, pay_with="point")

    mine = subscription(buyer.app)
    [key] = keys(buyer.app)
    assert key.customer_uid != old_key
    assert mine.status == SubscriptionStatus.ACTIVE
    assert mine.fail_reason is None
    paid, following = mine.periods[1], mine.periods[2]
    assert paid.status == PeriodStatus.PAID
    charges = {p["status"]: p["customer_uid"] for p in payments_of(buyer.app, merchant_uid)}
    assert charges == {"failed": old_key, "paid": key.customer_uid}
    assert booking(buyer.app, following.order.merchant_uid)["customer_uid"] == key.customer_uid


def test_replacing_the_key_moves_the_booked_charge_to_it(buyer):
    subscribe(buyer)
    merchant_uid = second(buyer.app)
    save_kakao_pay(buyer)
    [key] = keys(buyer.app)
    booked = booking(buyer.app, merchant_uid)
    assert (booked["schedule_status"], booked["customer_uid"]) == ("scheduled", key.customer_uid)
    assert subscription(buyer.app).periods[1].customer_uid == key.customer_uid

    renew(buyer, merchant_uid)
    assert subscription(buyer.app).periods[1].status == PeriodStatus.PAID


def test_subscribing_replaces_the_saved_key_and_keeps_one(buyer):
    save_kakao_pay(buyer)
    subscribe(buyer)
    mine = subscription(buyer.app)
    [key] = keys(buyer.app)
    assert key.customer_uid == mine.customer_uid
    with buyer.app.app_context():
        assert BillingKey.query.count() == 1
