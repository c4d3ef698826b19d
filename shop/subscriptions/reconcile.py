"""``flask --app shop reconcile-subscriptions``: bring every subscription in line with PortOne.

Webhooks get lost and PortOne is sometimes out of reach, so a subscription may wait on
something that already happened, or on a booking PortOne no longer holds. For each one that
has not ended this asks PortOne and finishes what the doors would have done:

- a first charge nobody confirmed is synced (and the subscription started), or ends with its
  window once the order can no longer be paid;
- a charge still to book is booked; a booked one is looked up (``GET
  /subscribe/payments/schedule/{merchant_uid}``): run → its payment is synced (a missed
  webhook), revoked or unknown → booked again, held under a replaced key → moved to the
  account's key;
- a charge left half-made by a process that stopped is synced by its merchant_uid;
- a booking of a cancelled subscription that PortOne still holds is revoked, a charge taken
  after the end is refunded, and a cancelled subscription past its paid period ends.

Run it from cron (hourly, say). Runs at the same moment, and beside the shop, are safe: every
change is one of the conditional moves the doors make, and PortOne books a merchant_uid once
at a time and takes one payment for it at most.
"""

import logging
from collections import Counter
from datetime import timedelta

import click
from sqlalchemy import select

from shop.extensions import db
from shop.models import (
    Order,
    OrderStatus,
    PeriodStatus,
    Subscription,
    SubscriptionPeriod,
    SubscriptionStatus,
    utcnow,
)
from shop.payments import sync_order, sync_payment
from shop.portone import PortOneError, PortOneNotFound, portone
from shop.subscriptions import bp
from shop.subscriptions.charges import book, revoke_booking
from shop.subscriptions.lifecycle import LIVE
from shop.subscriptions.renewals import activate, give_back
from shop.subscriptions.state import move

log = logging.getLogger(__name__)

SOURCE = "reconcile"
# A charge made at once that has shown no result for this long was left by a stopped process.
STUCK = timedelta(minutes=5)


@bp.cli.command("reconcile-subscriptions")
def reconcile_command() -> None:
    """Check every subscription that has not ended with PortOne and finish what is missing."""
    done = reconcile()
    click.echo(", ".join(f"{what}: {count}" for what, count in sorted(done.items())))


def reconcile() -> Counter:
    """Reconcile every subscription that has not ended; what was done, counted."""
    done = Counter()
    live = db.session.scalars(select(Subscription.id).where(Subscription.status.in_(LIVE))).all()
    for subscription_id in live:
        subscription = db.session.get(Subscription, subscription_id)
        done["checked"] += 1
        try:
            _reconcile(subscription, done)
        except Exception:
            # One subscription's trouble must not stop the others'.
            db.session.rollback()
            log.exception("subscription %s not reconciled", subscription_id)
            done["errors"] += 1
    _revoke_left_bookings(done)
    _refund_charges_after_the_end(done)
    return done


def _reconcile(subscription: Subscription, done: Counter) -> None:
    if subscription.status == SubscriptionStatus.PENDING:
        _first_charge(subscription, done)
    elif subscription.status == SubscriptionStatus.CANCELLED:
        if move(
            subscription,
            (SubscriptionStatus.CANCELLED,),
            SubscriptionStatus.ENDED,
            Subscription.paid_until <= utcnow(),
            live_key=None,
        ):
            done["ended"] += 1
        db.session.commit()
    else:
        for period in subscription.periods:
            if period.status == PeriodStatus.TO_BOOK:
                done["booked"] += book(period)
            elif period.status == PeriodStatus.BOOKED:
                _check_booking(period, done)
            elif period.status == PeriodStatus.CHARGING and period.updated_at < utcnow() - STUCK:
                _finish_charge(period, done)


def _first_charge(subscription: Subscription, done: Counter) -> None:
    """A first charge no door confirmed: sync it; start the subscription if it is paid, end
    it if its window can no longer be paid."""
    first = subscription.periods[0]
    order = first.order
    if order.status == OrderStatus.PENDING:
        sync_order(order, SOURCE)
    if order.status == OrderStatus.PAID:
        activate(first)
        done["started"] += subscription.status != SubscriptionStatus.PENDING
    elif order.overdue or order.status not in (OrderStatus.PENDING, OrderStatus.FAILED):
        if move(
            subscription, (SubscriptionStatus.PENDING,), SubscriptionStatus.ENDED, live_key=None
        ):
            done["abandoned"] += 1
        db.session.commit()


def _check_booking(period: SubscriptionPeriod, done: Counter) -> None:
    """A charge the shop booked: is PortOne still holding it, under the account's key?"""
    merchant_uid = period.order.merchant_uid
    try:
        booking = portone().get_schedule(merchant_uid)
    except PortOneNotFound:
        booking = None
    except PortOneError as exc:
        log.warning("booking of %s not read: %s", merchant_uid, exc)
        done["unreachable"] += 1
        return
    status = booking["schedule_status"] if booking else None
    if status == "scheduled":
        key = period.subscription.user.billing_key
        if key is None or booking["customer_uid"] == key.customer_uid:
            return
        # Held under a key the account replaced: move it.
        if not revoke_booking(merchant_uid, booking["customer_uid"]):
            return
    elif status == "executed" and booking["imp_uid"]:
        # It ran and its webhook never came (or never got through).
        result = sync_payment(booking["imp_uid"], SOURCE)
        done["synced"] += 1
        db.session.refresh(period)
        if period.status != PeriodStatus.BOOKED or not result.settled:
            return
    # Revoked by PortOne, never held, or run without a payment: book it again.
    if move(period, (PeriodStatus.BOOKED,), PeriodStatus.TO_BOOK, customer_uid=None):
        db.session.commit()
        done["booked again"] += book(period)


def _finish_charge(period: SubscriptionPeriod, done: Counter) -> None:
    """A charge made at once by a process that stopped before it heard the result."""
    try:
        payment = portone().find_payment(period.order.merchant_uid)
    except PortOneNotFound:
        payment = None
    except PortOneError:
        done["unreachable"] += 1
        return
    if payment is not None:
        sync_payment(payment["imp_uid"], SOURCE)
        done["synced"] += 1
    if move(period, (PeriodStatus.CHARGING,), PeriodStatus.TO_BOOK):
        db.session.commit()
        book(period)


def _revoke_left_bookings(done: Counter) -> None:
    """Bookings of cancelled subscriptions that PortOne may still hold (a revoke that did not
    reach it keeps the period's ``customer_uid``): revoke them before they run."""
    revoked = db.session.scalars(
        select(SubscriptionPeriod).where(
            SubscriptionPeriod.status == PeriodStatus.REVOKED,
            SubscriptionPeriod.customer_uid.is_not(None),
        )
    ).all()
    for period in revoked:
        if revoke_booking(period.order.merchant_uid, period.customer_uid):
            period.customer_uid = None
            db.session.commit()
            done["revoked"] += 1


def _refund_charges_after_the_end(done: Counter) -> None:
    """Charges that ran although their subscription was cancelled or had ended."""
    taken = db.session.scalars(
        select(SubscriptionPeriod)
        .join(Order, SubscriptionPeriod.order_id == Order.id)
        .where(
            SubscriptionPeriod.status.in_((PeriodStatus.REVOKED, PeriodStatus.DECLINED)),
            Order.status == OrderStatus.PAID,
        )
    ).all()
    for period in taken:
        give_back(period)
        done["refunded"] += period.order.status != OrderStatus.PAID
