"""``flask --app shop reconcile-subscriptions``: missed webhooks, bookings PortOne no longer
holds, revokes that never reached it, first charges nobody confirmed; and renewal webhooks
and reconciles arriving at once, on SQLite and PostgreSQL."""

import threading
from contextlib import contextmanager
from datetime import timedelta

import pytest
from sqlalchemy import update

from shop.extensions import db
from shop.models import (
    Order,
    PaymentEvent,
    PeriodStatus,
    Subscription,
    SubscriptionStatus,
    utcnow,
)
from shop.portone import PortOneClient, PortOneUnavailable
from shop.subscriptions.reconcile import reconcile
from tests.postgres import POSTGRES_URL
from tests.shop.actions import ShopActions
from tests.shop.apps import make_app
from tests.shop.subscription_actions import (
    DAY,
    booking,
    complete,
    payments_of,
    portone_call,
    run_due,
    subscribe,
    subscriber,
    subscription,
    webhook_of,
    window_params,
)


@pytest.fixture
def buyer(app) -> ShopActions:
    shop = subscriber(app)
    subscribe(shop)
    return shop


def reconciled(app) -> dict:
    with app.app_context():
        return dict(reconcile())


@contextmanager
def unreachable_portone(app):
    working = app.extensions["portone"]
    app.extensions["portone"] = PortOneClient("http://127.0.0.1:9", "k", "s", timeout=(0.5, 1))
    try:
        yield
    finally:
        app.extensions["portone"] = working


def test_the_command_reports_what_it_did(buyer, runner):
    result = runner.invoke(args=["reconcile-subscriptions"])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "checked: 1"


def test_a_renewal_whose_webhook_never_came_is_synced_and_the_next_booked(buyer):
    merchant_uid = subscription(buyer.app).periods[1].order.merchant_uid
    run_due(buyer, 40 * DAY)

    assert reconciled(buyer.app) == {"checked": 1, "synced": 1}

    mine = subscription(buyer.app)
    assert mine.periods[1].status == PeriodStatus.PAID
    assert mine.periods[2].status == PeriodStatus.BOOKED
    # Again: nothing left to do.
    assert reconciled(buyer.app) == {"checked": 1}
    assert [p["status"] for p in payments_of(buyer.app, merchant_uid)] == ["paid"]


def test_a_declined_renewal_whose_webhook_never_came_is_retried(app):
    shop = subscriber(app)
    subscribe(shop, decline_charges=True)
    run_due(shop, 40 * DAY)

    reconciled(app)

    mine = subscription(app)
    assert mine.status == SubscriptionStatus.PAST_DUE
    assert (mine.periods[1].status, mine.periods[1].declines) == (PeriodStatus.BOOKED, 1)


def test_a_booking_portone_no_longer_holds_is_booked_again(buyer):
    mine = subscription(buyer.app)
    merchant_uid = mine.periods[1].order.merchant_uid
    unschedule(buyer.app, mine.customer_uid, merchant_uid)
    assert booking(buyer.app, merchant_uid)["schedule_status"] == "revoked"

    assert reconciled(buyer.app) == {"checked": 1, "booked again": 1}
    assert booking(buyer.app, merchant_uid)["schedule_status"] == "scheduled"


def test_a_charge_booked_while_portone_was_out_of_reach_is_booked_later(buyer):
    merchant_uid = subscription(buyer.app).periods[1].order.merchant_uid
    # The renewal is paid, but PortOne cannot be reached to book the next one.
    run_due(buyer, 40 * DAY)
    body = webhook_of(buyer.app, merchant_uid)
    with booking_unreachable(buyer.app):
        assert buyer.webhook(body).status_code == 200
    following = subscription(buyer.app).periods[2]
    assert (following.status, following.customer_uid) == (PeriodStatus.TO_BOOK, None)
    assert booking(buyer.app, following.order.merchant_uid) is None

    assert reconciled(buyer.app) == {"checked": 1, "booked": 1}
    assert booking(buyer.app, following.order.merchant_uid)["schedule_status"] == "scheduled"
    assert subscription(buyer.app).periods[2].status == PeriodStatus.BOOKED


def test_a_charge_two_reconciles_book_at_once_stays_booked(buyer):
    """The second to book finds PortOne holding the first's booking of the same merchant_uid:
    that booking is the period's, and must not be revoked."""
    run_due(buyer, 40 * DAY)
    body = webhook_of(buyer.app, subscription(buyer.app).periods[1].order.merchant_uid)
    with booking_unreachable(buyer.app):
        assert buyer.webhook(body).status_code == 200
    merchant_uid = subscription(buyer.app).periods[2].order.merchant_uid
    other: list[dict] = []
    with another_booking_first(buyer.app, lambda: other.append(reconciled(buyer.app))):
        assert reconciled(buyer.app) == {"checked": 1, "booked": 0}

    assert other == [{"checked": 1, "booked": 1}]
    assert subscription(buyer.app).periods[2].status == PeriodStatus.BOOKED
    assert booking(buyer.app, merchant_uid)["schedule_status"] == "scheduled"


def test_a_charge_cancelled_while_it_is_booked_is_revoked(buyer):
    run_due(buyer, 40 * DAY)
    body = webhook_of(buyer.app, subscription(buyer.app).periods[1].order.merchant_uid)
    with booking_unreachable(buyer.app):
        assert buyer.webhook(body).status_code == 200
    mine = subscription(buyer.app)
    merchant_uid = mine.periods[2].order.merchant_uid

    def cancel():
        assert buyer.post(f"/subscriptions/{mine.id}/cancel", {}).status_code == 303

    with another_booking_first(buyer.app, cancel):
        assert reconciled(buyer.app) == {"checked": 1, "booked": 0}

    assert subscription(buyer.app).periods[2].status == PeriodStatus.REVOKED
    assert booking(buyer.app, merchant_uid)["schedule_status"] == "revoked"


def test_a_revoke_that_never_reached_portone_is_made(buyer):
    mine = subscription(buyer.app)
    merchant_uid = mine.periods[1].order.merchant_uid
    with unreachable_portone(buyer.app):
        buyer.post(f"/subscriptions/{mine.id}/cancel", {})
    assert subscription(buyer.app).status == SubscriptionStatus.CANCELLED
    assert booking(buyer.app, merchant_uid)["schedule_status"] == "scheduled"

    assert reconciled(buyer.app) == {"checked": 1, "revoked": 1}
    assert booking(buyer.app, merchant_uid)["schedule_status"] == "revoked"
    assert reconciled(buyer.app) == {"checked": 1}


def test_a_first_charge_no_door_confirmed_starts_the_subscription(app):
    shop = subscriber(app)
    params = window_params(shop).json["params"]
    shop.decide_in_window(params)  # approved, but the browser never came back
    assert subscription(app).status == SubscriptionStatus.PENDING

    assert reconciled(app) == {"checked": 1, "started": 1}
    assert subscription(app).status == SubscriptionStatus.ACTIVE
    assert subscription(app).periods[1].status == PeriodStatus.BOOKED


def test_a_window_never_paid_ends_its_subscription_once_too_late(app):
    shop = subscriber(app)
    window_params(shop)
    _set_order(app, payable_until=utcnow() - timedelta(minutes=1))

    assert reconciled(app) == {"checked": 1, "abandoned": 1}
    assert subscription(app).status == SubscriptionStatus.ENDED
    assert subscription(app).live_key is None


def test_a_cancelled_subscription_ends_with_its_paid_period(buyer):
    mine = subscription(buyer.app)
    buyer.post(f"/subscriptions/{mine.id}/cancel", {})
    assert reconciled(buyer.app) == {"checked": 1}
    with buyer.app.app_context():
        db.session.execute(update(Subscription).values(paid_until=utcnow() - timedelta(seconds=1)))
        db.session.commit()

    assert reconciled(buyer.app) == {"checked": 1, "ended": 1}
    assert subscription(buyer.app).status == SubscriptionStatus.ENDED


@pytest.mark.parametrize("declining", [False, True], ids=["paid", "declined"])
@pytest.mark.parametrize(
    "database", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def test_renewal_webhooks_and_reconciles_at_once_count_and_book_once(tmp_path, database, declining):
    config = {"DATABASE_URL": POSTGRES_URL} if database == "postgres" else {}
    app = make_app(tmp_path, seed=False, **config)
    shop = subscriber(app)
    subscribe(shop, decline_charges=declining)
    merchant_uid = subscription(app).periods[1].order.merchant_uid
    run_due(shop, 40 * DAY)
    body = webhook_of(app, merchant_uid)

    def webhook():
        answer = app.test_client().post("/portone/webhook", json=body)
        assert answer.status_code == 200, answer.get_data(as_text=True)

    arrivals = [webhook] * 8 + [lambda: reconciled(app)] * 4
    start = threading.Barrier(len(arrivals))
    failures: list[BaseException] = []

    def arrive(call):
        start.wait()
        try:
            call()
        except BaseException as exc:
            failures.append(exc)

    threads = [threading.Thread(target=arrive, args=(call,)) for call in arrivals]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert failures == []
    mine = subscription(app)
    renewal = mine.periods[1]
    if declining:
        assert (renewal.status, renewal.declines) == (PeriodStatus.BOOKED, 1)
        assert mine.status == SubscriptionStatus.PAST_DUE
        assert len(mine.periods) == 2
        next_booking = booking(app, merchant_uid)
    else:
        assert [p.status for p in mine.periods] == [
            PeriodStatus.PAID,
            PeriodStatus.PAID,
            PeriodStatus.BOOKED,
        ]
        with app.app_context():
            paid = PaymentEvent.query.filter_by(order_id=renewal.order_id, outcome="paid")
            assert paid.count() == 1
        next_booking = booking(app, mine.periods[2].order.merchant_uid)
    assert [p["status"] for p in payments_of(app, merchant_uid)] == [
        "failed" if declining else "paid"
    ]
    assert next_booking["schedule_status"] == "scheduled"
    with app.app_context():
        db.drop_all()


@contextmanager
def booking_unreachable(app):
    """PortOne answers everything but ``POST /subscribe/payments/schedule``, which it never
    receives."""
    client = app.extensions["portone"]

    def schedule(*args, **kwargs):
        raise PortOneUnavailable("PortOne unreachable: ConnectTimeout")

    client.schedule = schedule
    try:
        yield
    finally:
        del client.schedule


@contextmanager
def another_booking_first(app, other):
    """The first ``POST /subscribe/payments/schedule`` waits while ``other`` runs to its end
    in another thread, as a second door booking the same charge at that moment would."""
    client = app.extensions["portone"]
    book = type(client).schedule.__get__(client)
    waited = []

    def schedule(*args, **kwargs):
        if not waited:
            waited.append(True)
            thread = threading.Thread(target=other)
            thread.start()
            thread.join(timeout=60)
            assert not thread.is_alive()
        return book(*args, **kwargs)

    client.schedule = schedule
    try:
        yield
    finally:
        del client.schedule


def unschedule(app, customer_uid: str, merchant_uid: str) -> None:
    """Revoke a booking at PortOne behind the shop's back (as PortOne's console can)."""
    answer = portone_call(
        app,
        "POST",
        "/subscribe/payments/unschedule",
        json={"customer_uid": customer_uid, "merchant_uid": [merchant_uid]},
    )
    assert answer.status_code == 200, answer.get_data(as_text=True)


def _set_order(app, **values) -> None:
    with app.app_context():
        db.session.execute(update(Order).values(**values))
        db.session.commit()


@pytest.mark.parametrize(
    "database", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def test_the_first_charges_doors_at_once_start_it_once_with_its_key(tmp_path, database):
    config = {"DATABASE_URL": POSTGRES_URL} if database == "postgres" else {}
    app = make_app(tmp_path, seed=False, **config)
    shop = subscriber(app)
    query = shop.decide_in_window(window_params(shop).json["params"])
    cookie = shop.client.get_cookie("session").value

    def door():
        browser = app.test_client()
        browser.set_cookie("session", cookie)
        return complete(ShopActions(app, browser), query)

    def webhook():
        return app.test_client().post("/portone/webhook", json={"imp_uid": query["imp_uid"]})

    arrivals = [door, webhook] * 5
    start = threading.Barrier(len(arrivals))
    answers = []

    def arrive(call):
        start.wait()
        answers.append(call().status_code)

    threads = [threading.Thread(target=arrive, args=(call,)) for call in arrivals]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert answers == [200] * len(arrivals)
    mine = subscription(app)
    assert mine.status == SubscriptionStatus.ACTIVE
    assert [p.status for p in mine.periods] == [PeriodStatus.PAID, PeriodStatus.BOOKED]
    assert booking(app, mine.periods[1].order.merchant_uid)["schedule_status"] == "scheduled"
    with app.app_context():
        db.drop_all()
