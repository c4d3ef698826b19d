"""What the buyer does to a subscription: subscribe, cancel, resume, and change or remove the
saved Kakao Pay it is charged to.

A subscription charges the account's saved Kakao Pay (``User.billing_key``). Subscribing opens
Kakao Pay's window for the first charge with the account's next ``customer_uid``, so the key
it saves becomes the account's saved Kakao Pay, replacing any earlier one; replacing the key on
the account page moves every booked charge to the new key, and removing it cancels them.
"""

import logging

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from shop.extensions import db
from shop.language import N_
from shop.models import (
    OrderStatus,
    PeriodStatus,
    Plan,
    Subscription,
    SubscriptionPeriod,
    SubscriptionStatus,
    User,
    utcnow,
)
from shop.payments import PAYABLE
from shop.portone import PortOneError, PortOneUnavailable, portone
from shop.subscriptions.charges import (
    OPEN,
    book,
    book_next,
    charge_now,
    new_period,
    revoke_booking,
)
from shop.subscriptions.state import move

log = logging.getLogger(__name__)

ALREADY_SUBSCRIBED = _l("You already subscribe to this plan: see your account page.")
UNREACHABLE = _l("Kakao Pay is not reachable right now. Nothing was charged; please try again.")
# Stored on the subscription in English, shown in the buyer's language (``shown_reason``).
KEY_REMOVED = N_("Your saved Kakao Pay was removed, so nothing more can be charged.")
RENEWING = (SubscriptionStatus.ACTIVE, SubscriptionStatus.PAST_DUE)
# Not ended: an account holds one of these per plan (``Subscription.live_key``).
LIVE = (*RENEWING, SubscriptionStatus.PENDING, SubscriptionStatus.CANCELLED)


class SubscribeError(Exception):
    """The subscription cannot start; the message is for the buyer."""


def start(user: User, plan: Plan) -> SubscriptionPeriod:
    """The first period of ``user``'s subscription to ``plan``, ready for Kakao Pay's window:
    a pending subscription and order, whose amount PortOne must take (``prepare``).

    A subscription still waiting for its first charge is reused, so two clicks or two tabs
    open windows for one merchant_uid, which PortOne lets be paid once. Raises
    ``SubscribeError`` when the account subscribes to the plan already or PortOne cannot be
    reached.
    """
    first = _waiting_first_period(user, plan)
    if first is None:
        subscription = Subscription(
            user=user,
            plan=plan,
            amount=plan.price,
            customer_uid=user.next_customer_uid,
            live_key=f"{user.id}:{plan.id}",
            status=SubscriptionStatus.PENDING,
        )
        db.session.add(subscription)
        try:
            db.session.flush()
            first = new_period(subscription, 1, status=PeriodStatus.WINDOW)
            db.session.commit()
        except IntegrityError:
            # Another request of this account started it at the same moment: use that one.
            db.session.rollback()
            first = _waiting_first_period(user, plan)
            if first is None:
                raise SubscribeError(str(ALREADY_SUBSCRIBED)) from None
    _prepare(first)
    return first


def cancel(subscription: Subscription, reason: str | None = None) -> bool:
    """Stop the charges: the booked one is revoked at PortOne, and the subscription runs until
    the end of the period paid for (past due, nothing is paid ahead: it ends now). False if it
    was not renewing.

    The subscription is cancelled first, then the booking revoked: a charge PortOne runs in
    between is given back when its payment arrives, and a revoke PortOne cannot be reached
    for is made by ``reconcile``.
    """
    paid_ahead = subscription.paid_until is not None and subscription.paid_until > utcnow()
    values = {"fail_reason": reason} if reason else {}
    if not paid_ahead:
        values["live_key"] = None
    status = SubscriptionStatus.CANCELLED if paid_ahead else SubscriptionStatus.ENDED
    if not move(subscription, RENEWING, status, **values):
        db.session.rollback()
        return False
    booked = [period for period in subscription.periods if period.status == PeriodStatus.BOOKED]
    for period in subscription.periods:
        move(period, (PeriodStatus.TO_BOOK, PeriodStatus.BOOKED), PeriodStatus.REVOKED)
    db.session.commit()
    for period in booked:
        if revoke_booking(period.order.merchant_uid, period.customer_uid):
            # Kept until PortOne confirms, so that ``reconcile`` can revoke it instead.
            period.customer_uid = None
            db.session.commit()
    return True


def resume(subscription: Subscription) -> bool:
    """Renew a cancelled subscription again, before its paid period ends: the next period's
    charge is booked again. False if it cannot be (ended, or no saved Kakao Pay)."""
    still_running = subscription.paid_until is not None and subscription.paid_until > utcnow()
    if not still_running or subscription.user.billing_key is None:
        return False
    if not move(
        subscription, (SubscriptionStatus.CANCELLED,), SubscriptionStatus.ACTIVE, fail_reason=None
    ):
        db.session.rollback()
        return False
    latest = subscription.periods[-1]
    move(latest, (PeriodStatus.REVOKED,), PeriodStatus.TO_BOOK)
    db.session.commit()
    if latest.status == PeriodStatus.TO_BOOK:
        book(latest)
    elif latest.status == PeriodStatus.PAID:
        book_next(subscription, latest)
    return True


def follow_key(user: User) -> None:
    """After the account's saved Kakao Pay changed: each renewing subscription's charge is
    booked under the new key; a past-due one is charged with it at once."""
    key = user.billing_key
    if key is None:
        return
    for subscription in renewing(user):
        for period in subscription.periods:
            if period.status == PeriodStatus.BOOKED:
                if period.customer_uid == key.customer_uid:
                    continue
                if not revoke_booking(period.order.merchant_uid, period.customer_uid):
                    # Still held under the old key: ``reconcile`` moves it later.
                    continue
                move(period, (PeriodStatus.BOOKED,), PeriodStatus.TO_BOOK, customer_uid=None)
                db.session.commit()
            if period.status != PeriodStatus.TO_BOOK:
                continue
            if subscription.status == SubscriptionStatus.PAST_DUE:
                charge_now(period)
            else:
                book(period)


def key_removed(user: User) -> None:
    """The account's saved Kakao Pay was deleted: its subscriptions are cancelled."""
    for subscription in renewing(user):
        cancel(subscription, KEY_REMOVED)


def renewing(user: User) -> list[Subscription]:
    """The account's subscriptions that are charged again: active or past due."""
    return db.session.scalars(
        select(Subscription)
        .where(Subscription.user_id == user.id, Subscription.status.in_(RENEWING))
        .order_by(Subscription.id)
    ).all()


def subscriptions_of(user: User) -> list[Subscription]:
    """The account page's subscriptions, newest first: all but those whose first charge was
    never paid."""
    found = db.session.scalars(
        select(Subscription).where(Subscription.user_id == user.id).order_by(Subscription.id.desc())
    ).all()
    return [
        subscription
        for subscription in found
        if subscription.status != SubscriptionStatus.PENDING
        or subscription.periods[0].order.status == OrderStatus.PAID
    ]


def open_period(subscription: Subscription) -> SubscriptionPeriod | None:
    """The period whose charge is booked or still to be made, if any."""
    return next((period for period in subscription.periods if period.status in OPEN), None)


def _waiting_first_period(user: User, plan: Plan) -> SubscriptionPeriod | None:
    """The first period of the account's subscription to ``plan`` still waiting for its
    window; None if there is none. Raises ``SubscribeError`` if the subscription runs already.

    A waiting subscription whose first order can no longer be paid ends here.
    """
    subscription = db.session.scalar(
        select(Subscription).where(Subscription.live_key == f"{user.id}:{plan.id}")
    )
    if subscription is None:
        return None
    if subscription.status != SubscriptionStatus.PENDING:
        raise SubscribeError(str(ALREADY_SUBSCRIBED))
    first = subscription.periods[0]
    if first.order.status in PAYABLE and not first.order.overdue:
        # The window saves the key under the account's customer_uid of the moment.
        subscription.customer_uid = user.next_customer_uid
        db.session.commit()
        return first
    if first.order.status == OrderStatus.PAID:
        raise SubscribeError(str(ALREADY_SUBSCRIBED))
    move(subscription, (SubscriptionStatus.PENDING,), SubscriptionStatus.ENDED, live_key=None)
    db.session.commit()
    return None


def _prepare(first: SubscriptionPeriod) -> None:
    """Register the first charge's amount with PortOne, once: the window opens only for it."""
    order = first.order
    try:
        portone().prepare(order.merchant_uid, order.amount)
    except PortOneUnavailable as exc:
        raise SubscribeError(str(UNREACHABLE)) from exc
    except PortOneError as exc:
        # Registered already, by an earlier click; anything else is a refusal.
        try:
            prepared = portone().get_prepared(order.merchant_uid)
        except PortOneError:
            raise SubscribeError(str(UNREACHABLE)) from exc
        if prepared.get("amount") != order.amount:
            log.warning("%s prepared for %s", order.merchant_uid, prepared.get("amount"))
            raise SubscribeError(str(UNREACHABLE)) from exc
