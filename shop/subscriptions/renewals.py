"""What a subscription does when one of its charges is paid or declined.

Every door (the window's callback and redirect, PortOne's webhook of a scheduled payment, a
reconcile) reaches ``sync_payment``, which moves the period's order once and only on what
``GET /payments/{imp_uid}`` says. The subscription follows from there, through its signals:

- ``order_paid`` (once per order, after its commit): the first charge starts the subscription
  (its billing key verified with ``GET /subscribe/customers/{customer_uid}``), a renewal
  extends it; either way the next period is booked.
- ``payment_failed`` (with every sync that sees a failed payment): a declined renewal makes
  the subscription past due and books the next try (``RETRY_AFTER``); the last one ends it.
  Each decline is counted once: only while the period is booked, and only for a payment
  that failed after the try it answers was due (a repeated or late webhook of an earlier
  try finds neither).
"""

import logging
from datetime import timedelta
from functools import wraps

from sqlalchemy import or_, update

from shop.account.billing import adopt_key
from shop.extensions import db
from shop.language import N_
from shop.models import (
    BillingKey,
    OrderStatus,
    PeriodStatus,
    Subscription,
    SubscriptionPeriod,
    SubscriptionStatus,
)
from shop.payments import sync_payment
from shop.portone import PortOneError, PortOneUnavailable, portone
from shop.signals import order_paid, payment_failed
from shop.subscriptions.charges import OPEN, book, book_next, period_of
from shop.subscriptions.clock import add_months, from_unix
from shop.subscriptions.lifecycle import RENEWING, follow_key
from shop.subscriptions.state import move

log = logging.getLogger(__name__)

# A declined renewal is tried again this long after each decline: 1 and 3 days after the
# first. A decline after the last try ends the subscription.
RETRY_AFTER = (timedelta(days=1), timedelta(days=2))
# Recorded, and shown to the buyer, when PortOne holds no key after the first charge.
NO_KEY = N_("Kakao Pay did not save a payment method for the renewals.")
# Recorded when PortOne gives no reason for a declined renewal.
DECLINED = N_("Kakao Pay declined the charge.")
# Why a charge is given back.
REFUND_REASON = "정기결제 해지 후 청구된 금액 환불"


def _rolled_back_on_error(receiver):
    """A receiver that raises leaves no half-made change in the request's session."""

    @wraps(receiver)
    def wrapper(*args, **kwargs):
        try:
            return receiver(*args, **kwargs)
        except Exception:
            db.session.rollback()
            raise

    return wrapper


@order_paid.connect
@_rolled_back_on_error
def on_order_paid(order) -> None:
    """A subscription's charge is paid: its first starts it, a renewal extends it."""
    period = period_of(order)
    if period is None:
        return
    if period.number == 1:
        activate(period)
    else:
        renewed(period)


@payment_failed.connect
@_rolled_back_on_error
def on_payment_failed(order, payment: dict) -> None:
    """A subscription's charge failed: a renewal's decline is counted."""
    period = period_of(order)
    # A declined first window changes nothing: the buyer may open it again.
    if period is not None and period.number > 1:
        declined(period, payment)


def activate(first: SubscriptionPeriod) -> None:
    """The first charge is paid: verify the billing key its window saved, start the periods
    from the moment PortOne took the payment, and book the second period's charge.

    Safe to call again: only the call that moves the subscription from pending does it. If
    PortOne cannot show the key, the subscription stays pending (``reconcile`` tries again).
    """
    subscription = first.subscription
    order = first.order
    if subscription.status != SubscriptionStatus.PENDING or order.status != OrderStatus.PAID:
        return
    try:
        key = _window_key(subscription)
    except PortOneError as exc:
        log.warning("subscription %s: key not verified yet: %s", subscription.id, exc)
        return
    started = order.paid_at.replace(microsecond=0)
    ends = add_months(started, subscription.plan.interval_months)
    if not move(
        subscription,
        (SubscriptionStatus.PENDING,),
        SubscriptionStatus.ACTIVE if key else SubscriptionStatus.CANCELLED,
        started_at=started,
        paid_until=ends,
        fail_reason=None if key else NO_KEY,
    ):
        db.session.rollback()
        return
    move(first, (PeriodStatus.WINDOW,), PeriodStatus.PAID, starts_at=started, ends_at=ends)
    db.session.commit()
    if key is not None:
        book_next(subscription, first)
        # The window's key replaced any earlier one: other subscriptions follow it.
        follow_key(subscription.user)


def renewed(period: SubscriptionPeriod) -> None:
    """A renewal is paid: the period is paid, the subscription runs to its end, and the next
    period is booked. A charge that ran after the subscription was cancelled or ended is
    given back."""
    subscription = period.subscription
    if period.status in (PeriodStatus.REVOKED, PeriodStatus.DECLINED):
        give_back(period)
        return
    # Still to book counts: PortOne may have booked it while the shop could not hear.
    if not move(period, OPEN, PeriodStatus.PAID):
        db.session.rollback()
        return
    # Only ever later: the webhook of an earlier period, arriving late, must not shorten it.
    db.session.execute(
        update(Subscription)
        .where(
            Subscription.id == subscription.id,
            or_(Subscription.paid_until.is_(None), Subscription.paid_until < period.ends_at),
        )
        .values(paid_until=period.ends_at)
    )
    move(subscription, (SubscriptionStatus.PAST_DUE,), SubscriptionStatus.ACTIVE, fail_reason=None)
    db.session.commit()
    if subscription.status == SubscriptionStatus.ACTIVE:
        book_next(subscription, period)


def declined(period: SubscriptionPeriod, payment: dict) -> None:
    """A renewal was declined: count it once, then book the next try or end the subscription."""
    subscription = period.subscription
    failed_at = from_unix(payment.get("failed_at") or payment.get("started_at") or 0)
    seen = period.declines
    last = seen >= len(RETRY_AFTER)
    values = {"declines": seen + 1}
    if not last:
        values["charge_at"] = failed_at + RETRY_AFTER[seen]
    counted = move(
        period,
        (PeriodStatus.TO_BOOK, PeriodStatus.BOOKED),
        PeriodStatus.DECLINED if last else PeriodStatus.TO_BOOK,
        SubscriptionPeriod.declines == seen,
        SubscriptionPeriod.charge_at <= failed_at,
        **values,
    )
    if not counted:
        db.session.rollback()
        return
    reason = (payment.get("fail_reason") or DECLINED)[:300]
    if last:
        move(subscription, RENEWING, SubscriptionStatus.ENDED, fail_reason=reason, live_key=None)
    else:
        move(subscription, RENEWING, SubscriptionStatus.PAST_DUE, fail_reason=reason)
    db.session.commit()
    log.info("subscription %s: period %s declined (%s)", subscription.id, period.number, reason)
    if subscription.status == SubscriptionStatus.PAST_DUE:
        book(period)


def give_back(period: SubscriptionPeriod) -> None:
    """Refund a paid charge of a period that was not to be charged, then sync it, so its
    order reads cancelled. If PortOne cannot refund now, ``reconcile`` does later."""
    order = period.order
    if order.status != OrderStatus.PAID:
        return
    try:
        portone().cancel_payment(order.imp_uid, reason=REFUND_REASON)
    except PortOneUnavailable as exc:
        log.warning("%s: charge after the end not refunded yet: %s", order.merchant_uid, exc)
        return
    except PortOneError as exc:
        # Refused, most likely because it is refunded already: the sync below tells.
        log.warning("%s: refund refused: %s", order.merchant_uid, exc)
    sync_payment(order.imp_uid, "subscription")


def _window_key(subscription) -> BillingKey | None:
    """The billing key the subscription's window saved, now the account's saved Kakao Pay;
    None if PortOne holds none under its customer_uid (or it was removed since). Raises
    ``PortOneError`` when PortOne cannot say.

    Another door may be adopting the same key at this moment: ``adopt_key`` keeps one of
    the two, and its commit moves the account on to a new customer_uid together with the key,
    so once the account has moved on the key is found here.
    """
    user = subscription.user
    if user.next_customer_uid == subscription.customer_uid:
        return adopt_key(user)
    return db.session.scalar(
        db.select(BillingKey).where(BillingKey.customer_uid == subscription.customer_uid)
    )
