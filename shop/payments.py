"""``sync_payment``: the one place an order's payment state changes.

Every door (the PC callback, the phone redirect, the webhook, the "still confirming" re-check)
calls it with nothing but an ``imp_uid``. It believes only PortOne's own record of the payment:
the order is found by the payment's ``merchant_uid``, the amount and currency are compared with
the order's, and the state moves with one conditional UPDATE, so any number of doors arriving
in any order, at once or again and again, fulfil an order exactly once. A charge of a saved
Kakao Pay (``POST /subscribe/payments/again``) comes through here too, as the door ``again``.
"""

import logging
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select, update

from shop.extensions import db
from shop.models import Order, OrderItem, OrderStatus, PaymentEvent, Product, utcnow
from shop.portone import PortOneError, PortOneNotFound, PortOneUnavailable, portone

log = logging.getLogger(__name__)

FORGERY_REASON = "결제 금액 위변조 의심: 주문 금액과 결제 금액이 다릅니다"
DUPLICATE_REASON = "이미 결제된 주문의 중복 결제"

# An order may still become paid from these states: a failed window can be retried with the
# same merchant_uid, and PortOne then reports the later, paid payment.
PAYABLE = (OrderStatus.PENDING, OrderStatus.FAILED)


@dataclass
class SyncResult:
    order: Order | None
    outcome: str


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
    """Re-check an order PortOne may know more about, by the order's own merchant_uid."""
    try:
        payment = portone().find_payment(order.merchant_uid)
    except PortOneNotFound:
        return SyncResult(order, "no_payment")
    except PortOneError as exc:
        return _record(order, "-", door, "unavailable", str(exc))
    return sync_payment(payment["imp_uid"], door)


def _paid(order: Order, payment: dict, door: str) -> SyncResult:
    imp_uid = payment["imp_uid"]
    if payment["amount"] != order.amount or payment["currency"] != order.currency:
        return _forgery(order, payment, door)
    if order.status == OrderStatus.PAID and order.imp_uid != imp_uid:
        return _refund_duplicate(order, payment, door)

    paid_at = datetime.fromtimestamp(payment.get("paid_at") or 0, UTC).replace(tzinfo=None)
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
        once=_take_stock,
    )
    return _record(order, imp_uid, door, "paid" if changed else "already_paid")


def _forgery(order: Order, payment: dict, door: str) -> SyncResult:
    """PortOne took another amount than the order's: give the money back, flag the order."""
    imp_uid = payment["imp_uid"]
    _transition(order, PAYABLE, OrderStatus.FORGERY, imp_uid=imp_uid, fail_reason=FORGERY_REASON)
    detail = f"paid {payment['amount']} {payment['currency']}, order {order.amount}"
    _record(order, imp_uid, door, "forgery", detail)
    try:
        portone().cancel_payment(imp_uid, reason=FORGERY_REASON)
    except PortOneError as exc:
        # The next door to see this still-paid payment tries the refund again.
        return _record(order, imp_uid, door, "forgery_refund_failed", str(exc))
    return _record(order, imp_uid, door, "forgery_refunded")


def _refund_duplicate(order: Order, payment: dict, door: str) -> SyncResult:
    imp_uid = payment["imp_uid"]
    try:
        portone().cancel_payment(imp_uid, reason=DUPLICATE_REASON)
    except PortOneError as exc:
        return _record(order, imp_uid, door, "duplicate_refund_failed", str(exc))
    return _record(order, imp_uid, door, "duplicate_refunded", f"order paid by {order.imp_uid}")


def _cancelled(order: Order, payment: dict, door: str) -> SyncResult:
    imp_uid = payment["imp_uid"]
    if order.status == OrderStatus.PAID and order.imp_uid != imp_uid:
        return _record(order, imp_uid, door, "no_change", "another payment of a paid order")
    changed = _transition(
        order,
        (*PAYABLE, OrderStatus.PAID),
        OrderStatus.CANCELLED,
        imp_uid=imp_uid,
        fail_reason=payment.get("cancel_reason"),
        once=_return_stock if order.status == OrderStatus.PAID else None,
    )
    return _record(order, imp_uid, door, "cancelled" if changed else "no_change")


def _transition(order: Order, from_states, to_state: str, once=None, **values) -> bool:
    """Move the order only if it is still in one of ``from_states``; True if this call did.

    The check and the change are one UPDATE, so of any number of concurrent calls exactly
    one sees a changed row, and only that one does the ``once`` work. Both stay in the open
    transaction, which ``_record`` commits together with the event.
    """
    result = db.session.execute(
        update(Order)
        .where(Order.id == order.id, Order.status.in_(from_states))
        .values(status=to_state, updated_at=utcnow(), **values)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        return False
    if once is not None:
        once(order)
    return True


def _take_stock(order: Order) -> None:
    for product_id, quantity in _lines(order):
        db.session.execute(
            update(Product).where(Product.id == product_id).values(stock=Product.stock - quantity)
        )


def _return_stock(order: Order) -> None:
    for product_id, quantity in _lines(order):
        db.session.execute(
            update(Product).where(Product.id == product_id).values(stock=Product.stock + quantity)
        )


def _lines(order: Order) -> list[tuple[int, int]]:
    return db.session.execute(
        select(OrderItem.product_id, OrderItem.quantity).where(OrderItem.order_id == order.id)
    ).all()


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
