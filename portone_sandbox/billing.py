"""Charging a billing key: ``POST /subscribe/payments/again`` now, scheduled payments later."""

import json

from flask import url_for

from portone_sandbox.models import (
    ALREADY_PAID_MSG,
    BillingKey,
    Payment,
    db,
    mark_paid,
    new_apply_num,
    new_imp_uid,
    new_pg_tid,
    now,
)

# What PortOne reports as the user agent of a payment no browser took part in.
API_USER_AGENT = "sorry_not_supported_anymore"
DECLINED = "잔액이 부족합니다."
BUYER_FIELDS = ("buyer_name", "buyer_email", "buyer_tel", "buyer_addr", "buyer_postcode")


def charge(
    key: BillingKey,
    merchant_uid: str,
    amount: int,
    name: str,
    buyer: dict | None = None,
    custom_data: str | None = None,
    notice_urls: list[str] | None = None,
    usage: str = "payment",
    imp_uid: str | None = None,
    at: int | None = None,
) -> Payment:
    """Charge ``key`` and commit the Payment: ``paid``, or ``failed`` with a ``fail_reason`` when
    the key declines charges or the merchant_uid is paid already. ``usage`` is its
    ``customer_uid_usage``: ``payment`` for ``again``, ``payment.scheduled`` for a schedule.
    ``at`` is the moment of the charge (now if not given): a schedule's is when it ran."""
    if at is None:
        at = now()
    payment = Payment(
        imp_uid=imp_uid or new_imp_uid(api=True),
        merchant_uid=merchant_uid,
        status="ready",
        amount=amount,
        cancel_amount=0,
        currency="KRW",
        name=name,
        pay_method=key.pay_method,
        channel="api",
        pg_provider=key.pg_provider,
        pg_id=key.pg_id,
        pg_tid=new_pg_tid(),
        card_quota=0,
        custom_data=custom_data,
        user_agent=API_USER_AGENT,
        started_at=at,
        updated_at=at,
        customer_uid=key.customer_uid,
        customer_uid_usage=usage,
        notice_urls=json.dumps(notice_urls or []),
        **{field: (buyer or {}).get(field) for field in BUYER_FIELDS},
    )
    if key.pay_method == "card":
        payment.card_name = key.card_name
        payment.card_code = key.card_code
        payment.card_number = key.card_number
        payment.card_type = key.card_type
    if key.decline_charges:
        payment.status, payment.failed_at, payment.fail_reason = "failed", at, DECLINED
    db.session.add(payment)
    db.session.commit()
    if payment.status == "ready":
        _approve(payment, at)
    return payment


def _approve(payment: Payment, at: int) -> None:
    paid = mark_paid(
        payment,
        paid_at=at,
        apply_num=new_apply_num() if payment.pay_method == "card" else None,
        receipt_url=url_for("window.receipt", imp_uid=payment.imp_uid, _external=True),
    )
    if not paid:
        db.session.rollback()
        payment.status, payment.failed_at, payment.fail_reason = "failed", at, ALREADY_PAID_MSG
    db.session.commit()
    db.session.refresh(payment)
