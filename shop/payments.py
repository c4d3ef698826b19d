"""``sync_payment``: the one place an order's payment state changes.

Every door (the PC callback, the phone redirect, the webhook, the "still confirming" re-check)
calls it with nothing but an ``imp_uid``. It believes only PortOne's own record of the payment:
the order is found by the payment's ``merchant_uid``, the amount and currency are compared with
the order's, and the state moves with one conditional UPDATE, so any number of doors arriving
in any order, at once or again and again, fulfil an order exactly once.

A paid payment ends one of three ways: it pays its order (only the call whose UPDATE moved the
order to paid, which takes the stock in the same transaction), it is the order's payment
already, or it is refunded at PortOne, because the order cannot take it: wrong or partly
refunded amount, too late, sold out, or an order that is closed to payments.

Each sync decides and records in one transaction, which ``sync_payment`` commits; what must
not run inside it follows the commit: a refund (no row stays locked while PortOne answers) and
the ``order_paid`` signal (``shop.signals``), sent by the call that paid the order, and
``payment_failed``, sent by every call that found the order's payment failed.

A charge of a saved Kakao Pay (``POST /subscribe/payments/again``) comes through here too, as
the source ``again``.
"""

import logging
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from enum import StrEnum

from sqlalchemy import select, update

from shop.extensions import db
from shop.models import Order, OrderItem, OrderStatus, PaymentEvent, Product, utcnow
from shop.portone import PortOneError, PortOneNotFound, PortOneUnavailable, portone
from shop.signals import order_paid, payment_failed

log = logging.getLogger(__name__)


class SyncOutcome(StrEnum):
    """What one sync did: recorded on its ``PaymentEvent``, and the webhook's answer."""

    # The order moved.
    PAID = "paid"
    FAILED = "failed"
    CANCELLED = "cancelled"
    EXPIRED = "expired"
    REFUNDED_IN_PART = "refunded_in_part"
    # Nothing to change.
    ALREADY_PAID = "already_paid"
    # A notification that could not change the order, answered without asking PortOne.
    KNOWN_PAID = "known_paid"
    NO_CHANGE = "no_change"
    NOT_PAID_YET = "not_paid_yet"
    NO_PAYMENT = "no_payment"
    # No order of this shop's to change.
    UNKNOWN_PAYMENT = "unknown_payment"
    FOREIGN_PAYMENT = "foreign_payment"
    REFUSED = "refused"
    # PortOne could not be reached: nothing was decided.
    UNAVAILABLE = "unavailable"
    # A paid payment its order cannot take, and why: the order is flagged (forgery, sold out,
    # expired) or closed to payments (paid by another payment, duplicate; any other, closed).
    # Then the payment is refunded, or its refund is left to the next sync.
    FORGERY = "forgery"
    SOLD_OUT = "sold_out"
    DUPLICATE = "duplicate"
    CLOSED = "closed"
    FORGERY_REFUNDED = "forgery_refunded"
    FORGERY_REFUND_FAILED = "forgery_refund_failed"
    SOLD_OUT_REFUNDED = "sold_out_refunded"
    SOLD_OUT_REFUND_FAILED = "sold_out_refund_failed"
    EXPIRED_REFUNDED = "expired_refunded"
    EXPIRED_REFUND_FAILED = "expired_refund_failed"
    DUPLICATE_REFUNDED = "duplicate_refunded"
    DUPLICATE_REFUND_FAILED = "duplicate_refund_failed"
    CLOSED_REFUNDED = "closed_refunded"
    CLOSED_REFUND_FAILED = "closed_refund_failed"
    ALREADY_REFUNDED = "already_refunded"


# After these the payment must be synced again: the webhook answers them with a 5xx, so
# PortOne sends it again.
UNSETTLED = frozenset(
    {
        SyncOutcome.UNAVAILABLE,
        SyncOutcome.FORGERY_REFUND_FAILED,
        SyncOutcome.SOLD_OUT_REFUND_FAILED,
        SyncOutcome.EXPIRED_REFUND_FAILED,
        SyncOutcome.DUPLICATE_REFUND_FAILED,
        SyncOutcome.CLOSED_REFUND_FAILED,
    }
)


@dataclass(frozen=True)
class Refusal:
    """Why a paid payment is given back, and how that is recorded."""

    # What PortOne records with the refund (and shows on the buyer's cancel receipt).
    reason: str
    # Recorded when the sync decides to refund, then one of the refund's outcomes.
    outcome: SyncOutcome
    refunded: SyncOutcome
    refund_failed: SyncOutcome
    # The status a payable order is flagged with, in the same transaction; None leaves a
    # closed order as it is.
    status: OrderStatus | None = None


FORGERY = Refusal(
    reason="결제 금액 위변조 의심: 주문 금액과 결제 금액이 다릅니다",
    outcome=SyncOutcome.FORGERY,
    refunded=SyncOutcome.FORGERY_REFUNDED,
    refund_failed=SyncOutcome.FORGERY_REFUND_FAILED,
    status=OrderStatus.FORGERY,
)
SOLD_OUT = Refusal(
    reason="재고 부족: 결제가 확인되기 전에 상품이 품절되었습니다",
    outcome=SyncOutcome.SOLD_OUT,
    refunded=SyncOutcome.SOLD_OUT_REFUNDED,
    refund_failed=SyncOutcome.SOLD_OUT_REFUND_FAILED,
    status=OrderStatus.SOLD_OUT,
)
EXPIRED = Refusal(
    reason="결제 가능 시간이 지난 주문의 결제",
    outcome=SyncOutcome.EXPIRED,
    refunded=SyncOutcome.EXPIRED_REFUNDED,
    refund_failed=SyncOutcome.EXPIRED_REFUND_FAILED,
    status=OrderStatus.EXPIRED,
)
DUPLICATE = Refusal(
    reason="이미 결제된 주문의 중복 결제",
    outcome=SyncOutcome.DUPLICATE,
    refunded=SyncOutcome.DUPLICATE_REFUNDED,
    refund_failed=SyncOutcome.DUPLICATE_REFUND_FAILED,
)
CLOSED = Refusal(
    reason="결제를 받을 수 없는 주문의 결제",
    outcome=SyncOutcome.CLOSED,
    refunded=SyncOutcome.CLOSED_REFUNDED,
    refund_failed=SyncOutcome.CLOSED_REFUND_FAILED,
)

# An order may still become paid from these states: a failed window can be retried with the
# same merchant_uid, and PortOne then reports the later, paid payment.
PAYABLE = (OrderStatus.PENDING, OrderStatus.FAILED)


@dataclass(frozen=True)
class SyncResult:
    order: Order | None
    outcome: SyncOutcome
    # A payment to give back once the decision to do so is committed.
    refund: Refusal | None = None
    # PortOne's record of the order's payment when it failed, for ``payment_failed``.
    failed_payment: dict | None = None

    @property
    def settled(self) -> bool:
        """False when the sync should run again: PortOne was not reached, or a refund failed."""
        return self.outcome not in UNSETTLED


def sync_payment(imp_uid: str, source: str) -> SyncResult:
    """Bring the order behind ``imp_uid`` in line with PortOne's record of that payment.

    ``source`` says what asked: "callback", "redirect", "webhook" or "check".
    """
    result = _decide(imp_uid, source)
    db.session.commit()
    if result.refund is not None:
        # Only now: no row stays locked while PortOne answers.
        result = _refund(result, imp_uid, source)
        db.session.commit()
    elif result.outcome is SyncOutcome.PAID:
        # Only the call whose UPDATE paid the order decides PAID, so this runs once per order.
        _send(order_paid, result.order)
    elif result.failed_payment is not None:
        _send(payment_failed, result.order, payment=result.failed_payment)
    return result


def notified(imp_uid: str, source: str, claimed: str | None = None) -> SyncResult:
    """A door's notification of ``imp_uid``: synced, unless it cannot change the order.

    ``claimed`` is the status the notification states (a webhook's ``status``; None for the
    callback and the redirect, which state none). When the order is paid by this very payment
    and the notification claims nothing else, PortOne's record can only say so again: the
    database answers, and a duplicate costs one query and no write, instead of a call to
    PortOne and a ``PaymentEvent`` (the order's timeline shows verifications, not echoes).
    Anything else is re-fetched, a webhook claiming a cancel above all. Partial refunds and
    cancels that no webhook told of are found by ``flask reconcile``.
    """
    if claimed in (None, "paid"):
        order = db.session.scalar(
            select(Order).where(Order.imp_uid == imp_uid, Order.status == OrderStatus.PAID)
        )
        if order is not None:
            log.info("sync %s via %s: %s", imp_uid, source, SyncOutcome.KNOWN_PAID)
            return SyncResult(order, SyncOutcome.KNOWN_PAID)
    return sync_payment(imp_uid, source)


def _decide(imp_uid: str, source: str) -> SyncResult:
    """Change the order as the payment says and record the sync, in one open transaction."""
    try:
        payment = portone().get_payment(imp_uid)
    except PortOneNotFound:
        return _record(
            None, imp_uid, source, SyncOutcome.UNKNOWN_PAYMENT, "PortOne has no such payment"
        )
    except PortOneUnavailable as exc:
        return _record(None, imp_uid, source, SyncOutcome.UNAVAILABLE, str(exc))
    except PortOneError as exc:
        if exc.status == 401:
            # PortOne refused the shop's credentials, even with a fresh token: the payment
            # is as unknown as in an outage, and is asked about again later.
            return _record(None, imp_uid, source, SyncOutcome.UNAVAILABLE, str(exc))
        return _record(None, imp_uid, source, SyncOutcome.REFUSED, str(exc))

    # The payment's own merchant_uid, never the one a browser or webhook body claimed.
    order = db.session.scalar(select(Order).where(Order.merchant_uid == payment["merchant_uid"]))
    if order is None:
        return _record(None, imp_uid, source, SyncOutcome.FOREIGN_PAYMENT, payment["merchant_uid"])

    status = payment["status"]
    if status == "paid":
        return _paid(order, payment, source)
    if status == "failed":
        reason = payment.get("fail_reason")
        changed = _transition(order, (OrderStatus.PENDING,), OrderStatus.FAILED, fail_reason=reason)
        if not changed:
            # A failed order can be paid again, and fail again: it tells the buyer why its
            # latest try failed (a decline, then a cancel).
            _transition(order, (OrderStatus.FAILED,), OrderStatus.FAILED, fail_reason=reason)
        outcome = SyncOutcome.FAILED if changed else SyncOutcome.NO_CHANGE
        result = _record(order, imp_uid, source, outcome, reason)
        return replace(result, failed_payment=payment)
    if status == "cancelled":
        return _cancelled(order, payment, source)
    return _record(order, imp_uid, source, SyncOutcome.NOT_PAID_YET, status)


def sync_order(order: Order, source: str = "check") -> SyncResult:
    """Re-check an order PortOne may know more about, by the order's own merchant_uid.

    A pending order whose time ran out, and which PortOne holds no payment for, expires.
    """
    # Decided before asking: a payment not paid by the time PortOne answers is paid too late.
    overdue = order.overdue
    try:
        payment = portone().find_payment(order.merchant_uid)
    except PortOneNotFound:
        result = SyncResult(order, SyncOutcome.NO_PAYMENT)
    except PortOneError as exc:
        result = _record(order, "-", source, SyncOutcome.UNAVAILABLE, str(exc))
        db.session.commit()
        return result
    else:
        result = sync_payment(payment["imp_uid"], source)
    if not overdue or result.outcome not in (SyncOutcome.NO_PAYMENT, SyncOutcome.NOT_PAID_YET):
        return result
    changed = _transition(
        order, (OrderStatus.PENDING,), OrderStatus.EXPIRED, fail_reason=EXPIRED.reason
    )
    result = _record(order, "-", source, SyncOutcome.EXPIRED if changed else SyncOutcome.NO_CHANGE)
    db.session.commit()
    return result


def _paid(order: Order, payment: dict, source: str) -> SyncResult:
    """A paid payment: the order's own, one the order can take, or one to give back."""
    imp_uid = payment["imp_uid"]
    if order.status == OrderStatus.PAID and order.imp_uid == imp_uid:
        return _already_paid(order, payment, source)
    if order.status == OrderStatus.PAID:
        detail = f"order paid by {order.imp_uid}"
        return _refuse(order, payment, source, DUPLICATE, detail)
    if order.status not in PAYABLE:
        detail = f"order is {order.status}"
        return _refuse(order, payment, source, CLOSED, detail)

    if (
        payment["amount"] != order.amount
        or payment["currency"] != order.currency
        or payment.get("cancel_amount")
    ):
        detail = (
            f"paid {payment['amount']} {payment['currency']}"
            f" (refunded {payment.get('cancel_amount') or 0}), order {order.amount}"
        )
        return _refuse(order, payment, source, FORGERY, detail)
    paid_at = _paid_at(payment)
    if paid_at > order.payable_until:
        detail = f"paid at {paid_at:%Y-%m-%d %H:%M:%S}, payable until {order.payable_until}"
        return _refuse(order, payment, source, EXPIRED, detail)
    return _fulfil(order, payment, paid_at, source)


def _fulfil(order: Order, payment: dict, paid_at: datetime, source: str) -> SyncResult:
    """Mark the order paid and take its stock, both or neither, in one transaction.

    ``sync_payment`` commits it and then, this call having paid the order, sends ``order_paid``.
    """
    imp_uid = payment["imp_uid"]
    changed = _transition(
        order,
        PAYABLE,
        OrderStatus.PAID,
        imp_uid=imp_uid,
        pay_method=payment.get("pay_method"),
        pg_provider=payment.get("pg_provider"),
        receipt_url=payment.get("receipt_url"),
        paid_at=paid_at,
        fail_reason=None,
    )
    if not changed:
        # Another call moved the order first: decide again from what it did.
        return _paid(_reloaded(order), payment, source)
    if not _take_stock(order):
        # Sold out since the order was placed: the order must not stay paid.
        db.session.rollback()
        detail = "not enough stock left"
        return _refuse(order, payment, source, SOLD_OUT, detail)
    return _record(order, imp_uid, source, SyncOutcome.PAID)


def _refuse(order: Order, payment: dict, source: str, refusal: Refusal, detail: str) -> SyncResult:
    """Decide to give the payment back, flagging a payable order first when the refusal says."""
    imp_uid = payment["imp_uid"]
    if refusal.status is not None and not _transition(
        order, PAYABLE, refusal.status, imp_uid=imp_uid, fail_reason=refusal.reason
    ):
        return _paid(_reloaded(order), payment, source)
    _record(order, imp_uid, source, refusal.outcome, detail)
    return SyncResult(order, refusal.outcome, refund=refusal)


def _refund(result: SyncResult, imp_uid: str, source: str) -> SyncResult:
    """Give back all that is left of a paid payment, and record how that went."""
    refusal = result.refund
    try:
        portone().cancel_payment(imp_uid, reason=refusal.reason)
    except PortOneError as exc:
        if _fully_refunded(imp_uid):
            # Another door, syncing the same payment at the same moment, refunded it first.
            return _record(result.order, imp_uid, source, SyncOutcome.ALREADY_REFUNDED, str(exc))
        # The payment stays paid, and the next sync of it tries again.
        return _record(result.order, imp_uid, source, refusal.refund_failed, str(exc))
    return _record(result.order, imp_uid, source, refusal.refunded)


def _fully_refunded(imp_uid: str) -> bool:
    try:
        return portone().get_payment(imp_uid)["status"] == "cancelled"
    except PortOneError:
        return False


def _already_paid(order: Order, payment: dict, source: str) -> SyncResult:
    """The order's own payment again; note what PortOne has refunded of it since."""
    imp_uid = payment["imp_uid"]
    refunded = payment.get("cancel_amount") or 0
    changed = _transition(
        order,
        (OrderStatus.PAID,),
        OrderStatus.PAID,
        # Doors may bring older records of the payment: the refunded amount only grows.
        Order.imp_uid == imp_uid,
        Order.refunded_amount < refunded,
        refunded_amount=refunded,
    )
    if changed:
        return _record(order, imp_uid, source, SyncOutcome.REFUNDED_IN_PART, f"{refunded} refunded")
    return _record(order, imp_uid, source, SyncOutcome.ALREADY_PAID)


def _cancelled(order: Order, payment: dict, source: str) -> SyncResult:
    """A cancelled payment cancels its paid order (returning the stock) or a payable one."""
    imp_uid = payment["imp_uid"]
    values = {
        "imp_uid": imp_uid,
        "fail_reason": payment.get("cancel_reason"),
        "refunded_amount": payment.get("cancel_amount") or 0,
    }
    if _transition(
        order, (OrderStatus.PAID,), OrderStatus.CANCELLED, Order.imp_uid == imp_uid, **values
    ):
        _return_stock(order)
        return _record(order, imp_uid, source, SyncOutcome.CANCELLED)
    changed = _transition(order, PAYABLE, OrderStatus.CANCELLED, **values)
    return _record(
        order, imp_uid, source, SyncOutcome.CANCELLED if changed else SyncOutcome.NO_CHANGE
    )


def _transition(order: Order, from_states, to_state: OrderStatus, *conditions, **values) -> bool:
    """Move the order only if it is still in one of ``from_states``; True if this call did.

    The check and the change are one UPDATE, so of any number of concurrent calls exactly
    one sees a changed row, and only that one goes on to the work that follows. The change
    stays in the open transaction, which ``sync_payment`` commits together with the event.
    """
    result = db.session.execute(
        update(Order)
        .where(Order.id == order.id, Order.status.in_(from_states), *conditions)
        .values(status=to_state, updated_at=utcnow(), **values)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def _reloaded(order: Order) -> Order:
    """The order as another call left it, after this call's transaction is let go."""
    db.session.rollback()
    db.session.refresh(order)
    return order


def _take_stock(order: Order) -> bool:
    """Take the order's items from stock; False, having taken some or none, when one is short."""
    for product_id, quantity in _lines(order):
        taken = db.session.execute(
            update(Product)
            .where(Product.id == product_id, Product.stock >= quantity)
            .values(stock=Product.stock - quantity)
        )
        if taken.rowcount != 1:
            return False
    return True


def _return_stock(order: Order) -> None:
    for product_id, quantity in _lines(order):
        db.session.execute(
            update(Product).where(Product.id == product_id).values(stock=Product.stock + quantity)
        )


def _lines(order: Order) -> list[tuple[int, int]]:
    # Always in product order, so two orders locking the same products cannot deadlock.
    return db.session.execute(
        select(OrderItem.product_id, OrderItem.quantity)
        .where(OrderItem.order_id == order.id)
        .order_by(OrderItem.product_id)
    ).all()


def _paid_at(payment: dict) -> datetime:
    """When PortOne says the payment was paid (now, should it not say)."""
    if not payment.get("paid_at"):
        return utcnow()
    return datetime.fromtimestamp(payment["paid_at"], UTC).replace(tzinfo=None)


def _record(
    order: Order | None, imp_uid: str, source: str, outcome: SyncOutcome, detail=None
) -> SyncResult:
    """Add the sync's ``PaymentEvent`` to the open transaction; the caller commits it."""
    db.session.add(
        PaymentEvent(
            order_id=order.id if order else None,
            imp_uid=imp_uid[:40],
            source=source,
            outcome=outcome,
            detail=(detail or "")[:300] or None,
        )
    )
    log.info("sync %s via %s: %s", imp_uid, source, outcome)
    return SyncResult(order, outcome)


def _send(signal, order: Order, **data) -> None:
    """Send ``signal`` to each receiver; one that raises is logged, the others still run."""
    for receiver in signal.receivers_for(order):
        try:
            receiver(order, **data)
        except Exception:
            # The payment's outcome stands whatever a receiver does.
            log.exception("%s receiver %r failed for %s", signal.name, receiver, order.merchant_uid)
