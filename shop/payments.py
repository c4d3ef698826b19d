"""``sync_payment``: the one place an order's payment state changes.

Every door (the PC callback, the phone redirect, the webhook, the "still confirming" re-check)
calls it with nothing but an ``imp_uid``. It believes only PortOne's own record of the payment:
the order is found by the payment's ``merchant_uid``, the amount and currency are compared with
the order's, and the state moves with one conditional UPDATE, so any number of doors arriving
in any order, at once or again and again, fulfil an order exactly once.

A paid payment ends one of three ways: it pays its order (only the call whose UPDATE moved the
order to paid, which takes the stock in the same transaction), it is the order's payment
already, or it is refunded at PortOne, because the order cannot take it: wrong or partly
refunded amount, too late, sold out, or an order that is closed to payments. A refund is asked
for after the order's new state is committed, so no row stays locked while PortOne answers.
A charge of a saved Kakao Pay (``POST /subscribe/payments/again``) comes through here too, as
the door ``again``.
"""

import logging
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select, update

from shop.extensions import db
from shop.models import Order, OrderItem, OrderStatus, PaymentEvent, Product, utcnow
from shop.portone import PortOneError, PortOneNotFound, PortOneUnavailable, portone

log = logging.getLogger(__name__)

# The reasons PortOne records with each refund (and shows on the buyer's cancel receipt).
FORGERY_REASON = "결제 금액 위변조 의심: 주문 금액과 결제 금액이 다릅니다"
SOLD_OUT_REASON = "재고 부족: 결제가 확인되기 전에 상품이 품절되었습니다"
EXPIRED_REASON = "결제 가능 시간이 지난 주문의 결제"
DUPLICATE_REASON = "이미 결제된 주문의 중복 결제"
CLOSED_REASON = "결제를 받을 수 없는 주문의 결제"

# An order may still become paid from these states: a failed window can be retried with the
# same merchant_uid, and PortOne then reports the later, paid payment.
PAYABLE = (OrderStatus.PENDING, OrderStatus.FAILED)


@dataclass
class SyncResult:
    order: Order | None
    outcome: str

    @property
    def settled(self) -> bool:
        """False when the sync should run again: PortOne was not reached, or a refund failed."""
        return self.outcome != "unavailable" and not self.outcome.endswith("_refund_failed")


def sync_payment(imp_uid: str, door: str) -> SyncResult:
    """Bring the order behind ``imp_uid`` in line with PortOne's record of that payment."""
    try:
        payment = portone().get_payment(imp_uid)
    except PortOneNotFound:
        return _record(None, imp_uid, door, "unknown_payment", "PortOne has no such payment")
    except PortOneUnavailable as exc:
        return _record(None, imp_uid, door, "unavailable", str(exc))
    except PortOneError as exc:
        return _record(None, imp_uid, door, "refused", str(exc))

    # The payment's own merchant_uid, never the one a browser or webhook body claimed.
    order = db.session.scalar(select(Order).where(Order.merchant_uid == payment["merchant_uid"]))
    if order is None:
        return _record(None, imp_uid, door, "foreign_payment", payment["merchant_uid"])

    status = payment["status"]
    if status == "paid":
        return _paid(order, payment, door)
    if status == "failed":
        changed = _transition(
            order,
            (OrderStatus.PENDING,),
            OrderStatus.FAILED,
            fail_reason=payment.get("fail_reason"),
        )
        return _record(order, imp_uid, door, "failed" if changed else "no_change")
    if status == "cancelled":
        return _cancelled(order, payment, door)
    return _record(order, imp_uid, door, "not_paid_yet", status)


def sync_order(order: Order, door: str = "check") -> SyncResult:
    """Re-check an order PortOne may know more about, by the order's own merchant_uid.

    A pending order whose time ran out, and which PortOne holds no payment for, expires.
    """
    # Decided before asking: a payment not paid by the time PortOne answers is paid too late.
    overdue = order.overdue
    try:
        payment = portone().find_payment(order.merchant_uid)
    except PortOneNotFound:
        result = SyncResult(order, "no_payment")
    except PortOneError as exc:
        return _record(order, "-", door, "unavailable", str(exc))
    else:
        result = sync_payment(payment["imp_uid"], door)
    if not overdue or result.outcome not in ("no_payment", "not_paid_yet"):
        return result
    changed = _transition(
        order, (OrderStatus.PENDING,), OrderStatus.EXPIRED, fail_reason=EXPIRED_REASON
    )
    return _record(order, "-", door, "expired" if changed else "no_change")


def _paid(order: Order, payment: dict, door: str) -> SyncResult:
    """A paid payment: the order's own, one the order can take, or one to give back."""
    imp_uid = payment["imp_uid"]
    if order.status == OrderStatus.PAID and order.imp_uid == imp_uid:
        return _already_paid(order, payment, door)
    if order.status == OrderStatus.PAID:
        detail = f"order paid by {order.imp_uid}"
        return _refund(order, payment, door, "duplicate", DUPLICATE_REASON, detail)
    if order.status not in PAYABLE:
        detail = f"order is {order.status}"
        return _refund(order, payment, door, "closed", CLOSED_REASON, detail)

    if (
        payment["amount"] != order.amount
        or payment["currency"] != order.currency
        or payment.get("cancel_amount")
    ):
        detail = (
            f"paid {payment['amount']} {payment['currency']}"
            f" (refunded {payment.get('cancel_amount') or 0}), order {order.amount}"
        )
        return _refuse(order, payment, door, OrderStatus.FORGERY, FORGERY_REASON, detail)
    paid_at = _paid_at(payment)
    if paid_at > order.payable_until:
        detail = f"paid at {paid_at:%Y-%m-%d %H:%M:%S}, payable until {order.payable_until}"
        return _refuse(order, payment, door, OrderStatus.EXPIRED, EXPIRED_REASON, detail)
    return _fulfil(order, payment, paid_at, door)


def _fulfil(order: Order, payment: dict, paid_at: datetime, door: str) -> SyncResult:
    """Mark the order paid and take its stock, both or neither, in one transaction."""
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
        return _paid(_reloaded(order), payment, door)
    if not _take_stock(order):
        # Sold out since the order was placed: the order must not stay paid.
        db.session.rollback()
        detail = "not enough stock left"
        return _refuse(order, payment, door, OrderStatus.SOLD_OUT, SOLD_OUT_REASON, detail)
    return _record(order, imp_uid, door, "paid")


def _refuse(
    order: Order, payment: dict, door: str, status: str, reason: str, detail: str
) -> SyncResult:
    """Flag a payable order with ``status`` (the outcome too), then refund its payment."""
    imp_uid = payment["imp_uid"]
    if not _transition(order, PAYABLE, status, imp_uid=imp_uid, fail_reason=reason):
        return _paid(_reloaded(order), payment, door)
    _record(order, imp_uid, door, status, detail)
    return _refund(order, payment, door, status, reason)


def _refund(
    order: Order, payment: dict, door: str, why: str, reason: str, detail=None
) -> SyncResult:
    """Give back all that is left of a paid payment; record ``<why>_refunded`` or ``_failed``."""
    imp_uid = payment["imp_uid"]
    try:
        portone().cancel_payment(imp_uid, reason=reason)
    except PortOneError as exc:
        if _fully_refunded(imp_uid):
            # Another door, syncing the same payment at the same moment, refunded it first.
            return _record(order, imp_uid, door, "already_refunded", str(exc))
        # The payment stays paid, and the next sync of it tries again: the webhook answers
        # this outcome with a 5xx, so PortOne sends it again.
        return _record(order, imp_uid, door, f"{why}_refund_failed", str(exc))
    return _record(order, imp_uid, door, f"{why}_refunded", detail)


def _fully_refunded(imp_uid: str) -> bool:
    try:
        return portone().get_payment(imp_uid)["status"] == "cancelled"
    except PortOneError:
        return False


def _already_paid(order: Order, payment: dict, door: str) -> SyncResult:
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
        return _record(order, imp_uid, door, "refunded_in_part", f"{refunded} refunded")
    return _record(order, imp_uid, door, "already_paid")


def _cancelled(order: Order, payment: dict, door: str) -> SyncResult:
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
        return _record(order, imp_uid, door, "cancelled")
    changed = _transition(order, PAYABLE, OrderStatus.CANCELLED, **values)
    return _record(order, imp_uid, door, "cancelled" if changed else "no_change")


def _transition(order: Order, from_states, to_state: str, *conditions, **values) -> bool:
    """Move the order only if it is still in one of ``from_states``; True if this call did.

    The check and the change are one UPDATE, so of any number of concurrent calls exactly
    one sees a changed row, and only that one goes on to the work that follows. The change
    stays in the open transaction, which ``_record`` commits together with the event.
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


def _record(order: Order | None, imp_uid: str, door: str, outcome: str, detail=None) -> SyncResult:
    db.session.add(
        PaymentEvent(
            order_id=order.id if order else None,
            imp_uid=imp_uid[:40],
            door=door,
            outcome=outcome,
            detail=(detail or "")[:300] or None,
        )
    )
    db.session.commit()
    if order is not None:
        # The UPDATE bypassed the identity map: load what the database now says.
        db.session.refresh(order)
    log.info("sync %s via %s: %s", imp_uid, door, outcome)
    return SyncResult(order, outcome)
