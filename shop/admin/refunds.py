"""An admin's refund: ``POST /payments/cancel`` with a checksum, recorded, then read back.

The refund changes nothing on the order by itself. PortOne's record of the payment, fetched
again by ``sync_payment``, is what the order's refunded amount and state follow, with the same
conditional UPDATEs as every other door. The ``cancelled`` webhook PortOne may send for the
same refund, before, after or while the admin's request reads it back, therefore counts the
refunded amount once and returns the stock of a full refund once.
"""

from dataclasses import dataclass

from shop.extensions import db
from shop.models import Order, OrderStatus, Refund, RefundOutcome, User
from shop.payments import SyncResult, sync_payment
from shop.portone import PortOneError, PortOneUnavailable, portone


@dataclass
class RefundResult:
    refund: Refund
    # The payment read back from PortOne after the refund was asked for.
    sync: SyncResult


def refundable(order: Order) -> bool:
    """Whether an admin can refund the order: paid, and not all of it refunded yet."""
    return order.status == OrderStatus.PAID and bool(order.imp_uid) and order.net_amount > 0


def refund_order(order: Order, amount: int, reason: str, admin: User) -> RefundResult:
    """Ask PortOne to refund ``amount`` of the order's payment, record its answer, read it back.

    The checksum is the balance the shop believes refundable: PortOne refuses the refund when
    its own balance differs (a refund the shop has not heard of yet), rather than give back
    more than intended.
    """
    imp_uid, checksum = order.imp_uid, order.net_amount
    # Let go of the session's transaction: nothing stays locked while PortOne answers.
    db.session.rollback()
    try:
        portone().cancel_payment(imp_uid, amount=amount, checksum=checksum, reason=reason)
    except PortOneUnavailable as exc:
        outcome, detail = RefundOutcome.UNCONFIRMED, str(exc)
    except PortOneError as exc:
        # PortOne's own refusal carries its code; without one, PortOne's answer was not a
        # payment, and whether the refund was made is not known.
        outcome = RefundOutcome.REFUSED if exc.code is not None else RefundOutcome.UNCONFIRMED
        detail = str(exc)
    else:
        outcome, detail = RefundOutcome.REFUNDED, None
    refund = Refund(
        order_id=order.id,
        imp_uid=imp_uid,
        amount=amount,
        checksum=checksum,
        reason=reason,
        outcome=outcome,
        detail=detail[:300] if detail else None,
        admin_id=admin.id,
    )
    db.session.add(refund)
    db.session.commit()
    # Whatever PortOne answered, its record of the payment now decides the order.
    return RefundResult(refund, sync_payment(imp_uid, "admin"))
