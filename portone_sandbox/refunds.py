"""Cancelling a paid payment, fully or in part, as ``POST /payments/cancel`` and the console do."""

from sqlalchemy import case, select, update

from portone_sandbox import webhooks
from portone_sandbox.errors import NO_PAYMENT, NotFound, Refused
from portone_sandbox.models import Payment, PaymentCancel, db, new_cancellation_id, new_pg_tid, now

CONSOLE_REASON = "관리자 콘솔에서 취소"


def payment_to_cancel(imp_uid: str | None, merchant_uid: str | None) -> Payment:
    """The payment a cancel names: by imp_uid when given (PortOne's rule), else the merchant_uid's
    paid payment, else its latest one."""
    payment = None
    if imp_uid:
        payment = db.session.get(Payment, imp_uid)
    elif merchant_uid:
        payment = db.session.scalars(
            select(Payment)
            .where(Payment.merchant_uid == merchant_uid)
            .order_by(
                case((Payment.status == "paid", 0), (Payment.status == "cancelled", 1), else_=2),
                Payment.started_at.desc(),
            )
        ).first()
    if payment is None:
        raise Refused("취소할 결제건이 존재하지 않습니다.")
    return payment


def cancel(
    payment: Payment,
    amount: int | None = None,
    checksum: int | None = None,
    reason: str | None = None,
) -> PaymentCancel:
    """Refund ``amount`` (None or 0: the whole refundable balance) and commit.

    ``checksum`` is the balance the caller believes refundable; a different balance refuses.
    The payment stays ``paid`` until nothing is left, then becomes ``cancelled``.
    """
    if payment.status == "cancelled":
        raise Refused("이미 전액취소된 주문입니다.")
    if payment.status != "paid":
        raise Refused("결제완료 상태가 아닌 결제건은 취소할 수 없습니다.")
    balance = payment.amount - payment.cancel_amount
    if checksum is not None and checksum != balance:
        raise Refused(
            f"checksum({checksum:,}원)이 취소 가능 금액({balance:,}원)과 일치하지 않습니다."
        )
    amount = amount or balance
    if amount > balance:
        raise Refused(f"취소 요청 금액({amount:,}원)이 취소 가능 금액({balance:,}원)보다 큽니다.")
    at = now()
    whole = amount == balance
    changes = {"cancel_amount": Payment.cancel_amount + amount, "updated_at": at}
    if whole:
        changes |= {"status": "cancelled", "cancelled_at": at, "cancel_reason": reason}
    # Conditional on the balance read above, so two cancels racing cannot both refund it.
    result = db.session.execute(
        update(Payment)
        .where(
            Payment.imp_uid == payment.imp_uid,
            Payment.status == "paid",
            Payment.cancel_amount == payment.cancel_amount,
        )
        .values(**changes)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        db.session.rollback()
        raise Refused("동시에 처리 중인 취소 요청이 있습니다. 결제정보를 다시 조회해주세요.")
    refund = PaymentCancel(
        imp_uid=payment.imp_uid,
        pg_tid=payment.pg_tid or new_pg_tid(),
        amount=amount,
        cancelled_at=at,
        reason=reason,
        receipt_url=payment.receipt_url,
        cancellation_id=new_cancellation_id(),
    )
    db.session.add(refund)
    db.session.commit()
    db.session.refresh(payment)
    return refund


def cancel_from_console(
    imp_uid: str, amount: int | None = None, reason: str | None = None
) -> tuple[Payment, PaymentCancel]:
    """Cancel as the merchant would in PortOne's console: like the API, but always notifies."""
    payment = db.session.get(Payment, imp_uid)
    if payment is None:
        raise NotFound(NO_PAYMENT)
    refund = cancel(payment, amount=amount, reason=reason or CONSOLE_REASON)
    webhooks.send(payment, status="cancelled", cancellation_id=refund.cancellation_id)
    return payment, refund
