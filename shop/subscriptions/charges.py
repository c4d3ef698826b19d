"""A period's charge at PortOne: its order, its booking as a scheduled payment, revoking that
booking, and charging it at once.

Every try at a period's charge is made for the period's order, whose merchant_uid is
``sub_<subscription id>_p<number>``. PortOne books a merchant_uid once at a time and takes one
payment for it at most, and ``sync_payment`` pays an order once: whatever arrives twice, and
whoever books at the same moment, a period is charged once.
"""

import logging
from datetime import timedelta

from flask import current_app, has_request_context
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from shop.extensions import db
from shop.models import (
    Order,
    PeriodStatus,
    Subscription,
    SubscriptionPeriod,
    utcnow,
)
from shop.payments import sync_payment
from shop.portone import PortOneError, PortOneNotFound, PortOneUnavailable, portone
from shop.subscriptions.clock import add_months, to_unix
from shop.subscriptions.state import move
from shop.urls import notice_url

log = logging.getLogger(__name__)

BUYER_FIELDS = ("buyer_name", "buyer_email", "buyer_tel", "buyer_addr", "buyer_postcode")
# A charge due now is booked this far ahead: PortOne refuses a booking in the past.
BOOKING_LEAD = timedelta(minutes=1)
# Periods whose charge the shop still owes PortOne, or that PortOne may still run.
OPEN = (PeriodStatus.TO_BOOK, PeriodStatus.BOOKED, PeriodStatus.CHARGING)


def merchant_uid(subscription_id: int, number: int) -> str:
    """Every try at charging period ``number`` uses this one merchant_uid."""
    return f"sub_{subscription_id}_p{number}"


def new_period(subscription: Subscription, number: int, **fields) -> SubscriptionPeriod:
    """Period ``number`` of ``subscription`` with its pending order, added to the session.

    The first period's order is paid in Kakao Pay's window, within ``ORDER_PAYABLE_MINUTES``
    as every order is; a renewal may be paid until its period ends, and is refunded after.
    """
    user = subscription.user
    if number == 1:
        payable_until = utcnow() + timedelta(minutes=current_app.config["ORDER_PAYABLE_MINUTES"])
    else:
        payable_until = fields["ends_at"]
    order = Order(
        merchant_uid=merchant_uid(subscription.id, number),
        user_id=user.id,
        name=subscription.plan.name,
        amount=subscription.amount,
        currency="KRW",
        payable_until=payable_until,
        **user.buyer(),
    )
    period = SubscriptionPeriod(subscription=subscription, number=number, order=order, **fields)
    db.session.add(period)
    return period


def period_of(order: Order) -> SubscriptionPeriod | None:
    """The subscription period ``order`` charges, if it is one."""
    return db.session.scalar(
        select(SubscriptionPeriod).where(SubscriptionPeriod.order_id == order.id)
    )


def book_next(subscription: Subscription, period: SubscriptionPeriod) -> None:
    """Add the period after ``period`` (once, however many callers ask) and book its charge
    for the moment it starts."""
    number = period.number + 1
    months = subscription.plan.interval_months
    starts = add_months(subscription.started_at, period.number * months)
    following = new_period(
        subscription,
        number,
        status=PeriodStatus.TO_BOOK,
        starts_at=starts,
        ends_at=add_months(subscription.started_at, number * months),
        charge_at=starts,
    )
    try:
        db.session.commit()
    except IntegrityError:
        # Another call (a repeated webhook, a reconcile) added it first; book what it added.
        db.session.rollback()
        following = db.session.scalar(
            select(SubscriptionPeriod).where(
                SubscriptionPeriod.subscription_id == subscription.id,
                SubscriptionPeriod.number == number,
            )
        )
    book(following)


def book(period: SubscriptionPeriod) -> bool:
    """Have PortOne hold the period's charge at ``charge_at`` under the account's saved Kakao
    Pay; True once it does. Left to book (``reconcile``) if PortOne cannot be reached."""
    key = period.subscription.user.billing_key
    if period.status != PeriodStatus.TO_BOOK or key is None:
        return False
    order = period.order
    entry = {
        "merchant_uid": order.merchant_uid,
        "schedule_at": to_unix(max(period.charge_at, utcnow() + BOOKING_LEAD)),
        "amount": order.amount,
        "name": order.name,
        **{field: getattr(order, field) for field in BUYER_FIELDS},
        **_notice(),
    }
    customer_uid = key.customer_uid
    try:
        portone().schedule(customer_uid, [entry])
    except PortOneUnavailable as exc:
        log.warning("%s not booked: %s", order.merchant_uid, exc)
        return False
    except PortOneError as exc:
        # Refused because it is booked already (by a repeated webhook, or a reconcile at the
        # same moment) is as good as booked; anything else is left to book.
        booking = _scheduled(order.merchant_uid)
        if booking is None:
            log.warning("%s not booked: %s", order.merchant_uid, exc)
            return False
        customer_uid = booking["customer_uid"]
    booked = move(period, (PeriodStatus.TO_BOOK,), PeriodStatus.BOOKED, customer_uid=customer_uid)
    db.session.commit()
    # Booked by another call at the same moment: PortOne holds one booking of a merchant_uid,
    # so the one found is that call's, and the period's. Anything else (cancelled, charged
    # at once) happened while this call was booking it: take the booking back.
    if not booked and period.status != PeriodStatus.BOOKED:
        revoke_booking(order.merchant_uid, customer_uid)
    return booked


def revoke_booking(merchant_uid: str, customer_uid: str | None) -> bool:
    """Have PortOne drop the booking of ``merchant_uid``; True when it holds none any more."""
    if customer_uid is None:
        return True
    try:
        portone().unschedule(customer_uid, [merchant_uid])
    except PortOneUnavailable as exc:
        log.warning("booking of %s not revoked: %s", merchant_uid, exc)
        return False
    except PortOneError:
        # Nothing left to revoke: revoked already, run already, or its key deleted with it.
        pass
    return True


def charge_now(period: SubscriptionPeriod) -> None:
    """Charge a declined renewal at once with the account's saved Kakao Pay (just replaced).

    The payment goes through ``sync_payment`` like every other; if it is declined too, the
    next scheduled try is booked again with the new key.
    """
    key = period.subscription.user.billing_key
    if key is None or not move(period, (PeriodStatus.TO_BOOK,), PeriodStatus.CHARGING):
        db.session.rollback()
        return
    db.session.commit()
    order = period.order
    try:
        payment = portone().pay_again(
            key.customer_uid,
            order.merchant_uid,
            order.amount,
            order.name,
            **{field: getattr(order, field) for field in BUYER_FIELDS},
            **_notice(),
        )
    except PortOneUnavailable as exc:
        # The charge may have been made: ``reconcile`` asks PortOne by merchant_uid.
        log.warning("%s: charging at once did not reach PortOne: %s", order.merchant_uid, exc)
        return
    except PortOneError as exc:
        log.warning("%s: PortOne refused to charge at once: %s", order.merchant_uid, exc)
    else:
        sync_payment(payment["imp_uid"], "again")
        if payment["status"] == "failed":
            period.subscription.fail_reason = (payment.get("fail_reason") or "")[:300] or None
    # Paid, ``sync_payment`` moved the period on; otherwise the next try is booked again.
    if move(period, (PeriodStatus.CHARGING,), PeriodStatus.TO_BOOK):
        db.session.commit()
        book(period)
    else:
        db.session.commit()


def _scheduled(merchant_uid: str) -> dict | None:
    """PortOne's booking of ``merchant_uid`` if one is waiting to run."""
    try:
        booking = portone().get_schedule(merchant_uid)
    except PortOneNotFound:
        return None
    except PortOneError as exc:
        log.warning("booking of %s not read: %s", merchant_uid, exc)
        return None
    return booking if booking["schedule_status"] == "scheduled" else None


def _notice() -> dict:
    """The shop's webhook as the charge's ``notice_url``. A command run without
    ``PUBLIC_BASE_URL`` knows no address of the shop: PortOne then notifies the URL set in
    its console."""
    if current_app.config["PUBLIC_BASE_URL"] or has_request_context():
        return {"notice_url": notice_url()}
    return {}
