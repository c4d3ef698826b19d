"""The sandbox's state: everything PortOne would remember, in the sandbox's own database."""

import json
import secrets
import time

from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import (
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    exists,
    select,
    text,
    update,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, aliased, mapped_column, relationship


class Base(DeclarativeBase):
    pass


db = SQLAlchemy(model_class=Base)


class Setting(db.Model):
    """Small key/value state, such as the clock offset."""

    __tablename__ = "sandbox_settings"

    key: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


def now() -> int:
    """The sandbox's clock in unix seconds: real time plus the offset tests advance."""
    row = db.session.get(Setting, "clock_offset")
    return int(time.time()) + (int(row.value) if row else 0)


def advance_clock(seconds: int) -> None:
    row = db.session.get(Setting, "clock_offset")
    if row is None:
        row = Setting(key="clock_offset", value="0")
        db.session.add(row)
    row.value = str(int(row.value) + int(seconds))
    db.session.commit()


class Token(db.Model):
    __tablename__ = "sandbox_tokens"

    access_token: Mapped[str] = mapped_column(String(40), primary_key=True)
    api_key: Mapped[str] = mapped_column(String(100))
    issued_at: Mapped[int] = mapped_column(Integer)
    expired_at: Mapped[int] = mapped_column(Integer)


class Prepared(db.Model):
    """An amount registered in advance with ``POST /payments/prepare``."""

    __tablename__ = "sandbox_prepared"

    merchant_uid: Mapped[str] = mapped_column(String(80), primary_key=True)
    amount: Mapped[int] = mapped_column(Integer)
    currency: Mapped[str | None] = mapped_column(String(3))

    def to_api(self) -> dict:
        return {"merchant_uid": self.merchant_uid, "amount": self.amount, "currency": self.currency}


class Payment(db.Model):
    __tablename__ = "sandbox_payments"

    imp_uid: Mapped[str] = mapped_column(String(40), primary_key=True)
    merchant_uid: Mapped[str] = mapped_column(String(80), index=True)
    status: Mapped[str] = mapped_column(String(12), default="ready", index=True)
    amount: Mapped[int] = mapped_column(Integer)
    cancel_amount: Mapped[int] = mapped_column(Integer, default=0)
    currency: Mapped[str] = mapped_column(String(3), default="KRW")
    name: Mapped[str | None] = mapped_column(String(200))
    pay_method: Mapped[str] = mapped_column(String(20), default="point")
    channel: Mapped[str] = mapped_column(String(10), default="pc")
    pg_provider: Mapped[str] = mapped_column(String(20), default="kakaopay")
    pg_id: Mapped[str] = mapped_column(String(20), default="TC0ONETIME")
    pg_tid: Mapped[str | None] = mapped_column(String(40))
    apply_num: Mapped[str | None] = mapped_column(String(20))
    card_code: Mapped[str | None] = mapped_column(String(10))
    card_name: Mapped[str | None] = mapped_column(String(40))
    card_number: Mapped[str | None] = mapped_column(String(40))
    card_type: Mapped[int | None] = mapped_column(Integer)
    card_quota: Mapped[int] = mapped_column(Integer, default=0)
    buyer_name: Mapped[str | None] = mapped_column(String(100))
    buyer_email: Mapped[str | None] = mapped_column(String(200))
    buyer_tel: Mapped[str | None] = mapped_column(String(40))
    buyer_addr: Mapped[str | None] = mapped_column(String(300))
    buyer_postcode: Mapped[str | None] = mapped_column(String(20))
    # Stored as the JSON string PortOne returns.
    custom_data: Mapped[str | None] = mapped_column(Text)
    user_agent: Mapped[str | None] = mapped_column(String(400))
    started_at: Mapped[int] = mapped_column(Integer, default=0)
    paid_at: Mapped[int] = mapped_column(Integer, default=0)
    failed_at: Mapped[int] = mapped_column(Integer, default=0)
    cancelled_at: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[int] = mapped_column(Integer, default=0)
    fail_reason: Mapped[str | None] = mapped_column(String(300))
    cancel_reason: Mapped[str | None] = mapped_column(String(300))
    receipt_url: Mapped[str | None] = mapped_column(String(300))
    customer_uid: Mapped[str | None] = mapped_column(String(80), index=True)
    customer_uid_usage: Mapped[str | None] = mapped_column(String(20))
    # JSON list of the notice_url(s) the request named; empty means the console URL.
    notice_urls: Mapped[str] = mapped_column(Text, default="[]")
    m_redirect_url: Mapped[str | None] = mapped_column(String(500))

    cancels: Mapped[list["PaymentCancel"]] = relationship(
        back_populates="payment", order_by="PaymentCancel.id", cascade="all, delete-orphan"
    )

    def notice_url_list(self) -> list[str]:
        return json.loads(self.notice_urls or "[]")

    def to_api(self) -> dict:
        """The payment as PortOne's ``Payment`` object (``PaymentAnnotation``)."""
        return {
            "imp_uid": self.imp_uid,
            "merchant_uid": self.merchant_uid,
            "pay_method": self.pay_method,
            "channel": self.channel,
            "pg_provider": self.pg_provider,
            "emb_pg_provider": None,
            "pg_tid": self.pg_tid,
            "pg_id": self.pg_id,
            "sandbox": True,
            "escrow": False,
            "apply_num": self.apply_num,
            "bank_code": None,
            "bank_name": None,
            "card_code": self.card_code,
            "card_name": self.card_name,
            "card_issuer_code": self.card_code,
            "card_issuer_name": self.card_name,
            "card_publisher_code": self.card_code,
            "card_publisher_name": self.card_name,
            "card_quota": self.card_quota,
            "card_number": self.card_number,
            "card_type": self.card_type,
            "vbank_code": None,
            "vbank_name": None,
            "vbank_num": None,
            "vbank_holder": None,
            "vbank_date": 0,
            "vbank_issued_at": 0,
            "name": self.name,
            "amount": self.amount,
            "cancel_amount": self.cancel_amount,
            "currency": self.currency,
            "buyer_name": self.buyer_name,
            "buyer_email": self.buyer_email,
            "buyer_tel": self.buyer_tel,
            "buyer_addr": self.buyer_addr,
            "buyer_postcode": self.buyer_postcode,
            "custom_data": self.custom_data,
            "user_agent": self.user_agent,
            "status": self.status,
            "started_at": self.started_at,
            "paid_at": self.paid_at,
            "failed_at": self.failed_at,
            "cancelled_at": self.cancelled_at,
            "fail_reason": self.fail_reason,
            "cancel_reason": self.cancel_reason,
            "receipt_url": self.receipt_url,
            "cancel_history": [c.to_api() for c in self.cancels],
            "deposit_history": [],
            "cancel_receipt_urls": [c.receipt_url for c in self.cancels],
            "cash_receipt_issued": False,
            "customer_uid": self.customer_uid,
            "customer_uid_usage": self.customer_uid_usage,
            "promotion": None,
        }


class PaymentCancel(db.Model):
    """One full or partial refund of a payment (``PaymentCancelAnnotation``)."""

    __tablename__ = "sandbox_payment_cancels"

    id: Mapped[int] = mapped_column(primary_key=True)
    imp_uid: Mapped[str] = mapped_column(ForeignKey("sandbox_payments.imp_uid"), index=True)
    pg_tid: Mapped[str] = mapped_column(String(40))
    amount: Mapped[int] = mapped_column(Integer)
    cancelled_at: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str | None] = mapped_column(String(300))
    receipt_url: Mapped[str | None] = mapped_column(String(300))
    cancellation_id: Mapped[str] = mapped_column(String(40), unique=True)

    payment: Mapped[Payment] = relationship(back_populates="cancels")

    def to_api(self) -> dict:
        return {
            "pg_tid": self.pg_tid,
            "amount": self.amount,
            "cancelled_at": self.cancelled_at,
            "reason": self.reason,
            "receipt_url": self.receipt_url,
            "cancellation_id": self.cancellation_id,
        }


class BillingKey(db.Model):
    """A Kakao Pay billing key, known to the merchant only by its ``customer_uid``."""

    __tablename__ = "sandbox_billing_keys"

    customer_uid: Mapped[str] = mapped_column(String(80), primary_key=True)
    pg_provider: Mapped[str] = mapped_column(String(20), default="kakaopay")
    pg_id: Mapped[str] = mapped_column(String(20), default="TCSUBSCRIP")
    # What the buyer chose in the window: "point" (KakaoMoney) or "card".
    pay_method: Mapped[str] = mapped_column(String(20), default="point")
    card_name: Mapped[str | None] = mapped_column(String(40))
    card_code: Mapped[str | None] = mapped_column(String(10))
    card_number: Mapped[str | None] = mapped_column(String(40))
    card_type: Mapped[int | None] = mapped_column(Integer)
    customer_name: Mapped[str | None] = mapped_column(String(100))
    customer_tel: Mapped[str | None] = mapped_column(String(40))
    customer_email: Mapped[str | None] = mapped_column(String(200))
    customer_addr: Mapped[str | None] = mapped_column(String(300))
    customer_postcode: Mapped[str | None] = mapped_column(String(20))
    # "Decline later charges" was ticked: every later again/scheduled charge fails.
    decline_charges: Mapped[bool] = mapped_column(Boolean, default=False)
    inserted: Mapped[int] = mapped_column(Integer)
    updated: Mapped[int] = mapped_column(Integer)

    def to_api(self) -> dict:
        """The key as PortOne's ``Customer`` object (``CustomerAnnotation``)."""
        return {
            "customer_uid": self.customer_uid,
            "pg_provider": self.pg_provider,
            "pg_id": self.pg_id,
            "sandbox": True,
            "customer_id": None,
            "card_name": self.card_name,
            "card_code": self.card_code,
            "card_issuer_code": self.card_code,
            "card_issuer_name": self.card_name,
            "card_publisher_code": self.card_code,
            "card_publisher_name": self.card_name,
            "card_number": self.card_number,
            "card_type": self.card_type,
            "customer_name": self.customer_name,
            "customer_tel": self.customer_tel,
            "customer_email": self.customer_email,
            "customer_addr": self.customer_addr,
            "customer_postcode": self.customer_postcode,
            "inserted": self.inserted,
            "updated": self.updated,
        }


class WebhookDelivery(db.Model):
    """One webhook the sandbox sent (or tried to), with every attempt's result."""

    __tablename__ = "sandbox_webhook_deliveries"

    id: Mapped[int] = mapped_column(primary_key=True)
    url: Mapped[str] = mapped_column(String(500))
    imp_uid: Mapped[str] = mapped_column(String(40), index=True)
    merchant_uid: Mapped[str] = mapped_column(String(80))
    status: Mapped[str] = mapped_column(String(12))
    body: Mapped[str] = mapped_column(Text)
    content_type: Mapped[str] = mapped_column(String(60))
    # pending, delivered, failed (retries exhausted or not enabled)
    result: Mapped[str] = mapped_column(String(12), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    http_status: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[int] = mapped_column(Integer)
    delivered_at: Mapped[int] = mapped_column(Integer, default=0)

    def to_api(self) -> dict:
        return {
            "id": self.id,
            "url": self.url,
            "imp_uid": self.imp_uid,
            "merchant_uid": self.merchant_uid,
            "status": self.status,
            "body": json.loads(self.body),
            "content_type": self.content_type,
            "result": self.result,
            "attempts": self.attempts,
            "http_status": self.http_status,
            "error": self.error,
            "created_at": self.created_at,
            "delivered_at": self.delivered_at,
        }


class Fault(db.Model):
    """A fault armed for the next ``count`` API calls or webhooks (``portone_sandbox.faults``).

    ``remaining`` counts down as calls take it; a spent fault stays listed until cleared.
    """

    __tablename__ = "sandbox_faults"

    id: Mapped[int] = mapped_column(primary_key=True)
    # "api" or "webhook"
    target: Mapped[str] = mapped_column(String(10))
    kind: Mapped[str] = mapped_column(String(12))
    # "GET /payments/{imp_uid}": only calls of that endpoint; None: any API call.
    endpoint: Mapped[str | None] = mapped_column(String(120))
    count: Mapped[int] = mapped_column(Integer)
    remaining: Mapped[int] = mapped_column(Integer)
    # Seconds, for "hang" and "delay".
    delay: Mapped[float | None] = mapped_column(Float)
    # How many times a "duplicate" webhook is sent.
    copies: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[int] = mapped_column(Integer)

    def to_api(self) -> dict:
        return {
            "id": self.id,
            "target": self.target,
            "kind": self.kind,
            "endpoint": self.endpoint,
            "count": self.count,
            "remaining": self.remaining,
            "delay": self.delay,
            "copies": self.copies,
            "created_at": self.created_at,
        }


class PaymentWindow(db.Model):
    """The approval window opened for a payment: who opened it and how to answer them.

    ``secret`` is handed only to the frame that opened the window; a decision must carry it.
    """

    __tablename__ = "sandbox_payment_windows"

    imp_uid: Mapped[str] = mapped_column(String(40), primary_key=True)
    secret: Mapped[str] = mapped_column(String(64))
    # "overlay" answers the merchant page with postMessage; "redirect" sends it to m_redirect_url.
    mode: Mapped[str] = mapped_column(String(10))
    # The merchant page's origin: the exact targetOrigin of the overlay's postMessage.
    origin: Mapped[str] = mapped_column(String(300))
    request_id: Mapped[str] = mapped_column(String(64))


# PortOne's refusal of a second payment for a merchant_uid, at the window and at ``again``.
ALREADY_PAID_MSG = "이미 결제가 이루어진 거래건입니다."


def merchant_uid_paid(merchant_uid: str) -> bool:
    """Whether a payment for ``merchant_uid`` is already paid: PortOne takes each order once."""
    return bool(
        db.session.scalar(
            select(exists().where(Payment.merchant_uid == merchant_uid, Payment.status == "paid"))
        )
    )


def mark_paid(payment: Payment, **values) -> bool:
    """Move a ``ready`` payment to ``paid`` unless its merchant_uid is paid already.

    One statement, so two windows, or a window and an ``again`` charge, racing for one
    merchant_uid cannot both be paid. True if this call paid it; the caller commits.
    """
    other = aliased(Payment)
    result = db.session.execute(
        update(Payment)
        .where(
            Payment.imp_uid == payment.imp_uid,
            Payment.status == "ready",
            ~exists().where(other.merchant_uid == payment.merchant_uid, other.status == "paid"),
        )
        .values(status="paid", **values)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def new_imp_uid(api: bool = False) -> str:
    """An unused imp_uid: ``imp_`` + 12 digits for window payments, ``imps_`` + 12 digits for API
    payments."""
    while True:
        imp_uid = ("imps_" if api else "imp_") + "".join(
            secrets.choice("0123456789") for _ in range(12)
        )
        if db.session.get(Payment, imp_uid) is None:
            return imp_uid


def new_pg_tid() -> str:
    """Kakao Pay's transaction id: ``T`` + 19 hex characters."""
    return "T" + secrets.token_hex(10)[:19]


def new_apply_num() -> str:
    return "".join(secrets.choice("0123456789") for _ in range(8))


def new_cancellation_id() -> str:
    return secrets.token_hex(10)


BILLING_KEY_FIELDS = (
    "pg_provider",
    "pg_id",
    "pay_method",
    "card_name",
    "card_code",
    "card_number",
    "card_type",
    "customer_name",
    "customer_tel",
    "customer_email",
    "customer_addr",
    "customer_postcode",
    "decline_charges",
)


def save_billing_key(customer_uid: str, **fields) -> BillingKey:
    """Issue the billing key for ``customer_uid`` (not committed). PortOne keeps one key per
    customer_uid: issuing again replaces every field of the old key, keeps ``inserted`` and
    moves ``updated``."""
    unknown = set(fields) - set(BILLING_KEY_FIELDS)
    if unknown:
        raise TypeError(f"unknown billing key fields: {sorted(unknown)}")
    at = now()
    key = db.session.get(BillingKey, customer_uid)
    if key is None:
        key = BillingKey(customer_uid=customer_uid, inserted=at)
        db.session.add(key)
    defaults = {
        "pg_provider": "kakaopay",
        "pg_id": "TCSUBSCRIP",
        "pay_method": "point",
        "decline_charges": False,
    }
    for name in BILLING_KEY_FIELDS:
        setattr(key, name, fields.get(name, defaults.get(name)))
    key.updated = at
    return key


SCHEDULE_STATUSES = ("scheduled", "executed", "revoked")


class Schedule(db.Model):
    """A charge booked with ``POST /subscribe/payments/schedule``, run when the sandbox's clock
    reaches ``schedule_at`` (``ScheduleResultAnnotation``).

    A merchant_uid is booked at most once at a time: the partial unique index admits one
    ``scheduled`` row per merchant_uid, on SQLite and PostgreSQL alike, however bookings race.
    """

    __tablename__ = "sandbox_schedules"
    __table_args__ = (
        Index(
            "uq_sandbox_schedules_booked_merchant_uid",
            "merchant_uid",
            unique=True,
            sqlite_where=text("schedule_status = 'scheduled'"),
            postgresql_where=text("schedule_status = 'scheduled'"),
        ),
        Index("ix_sandbox_schedules_due", "schedule_status", "schedule_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_uid: Mapped[str] = mapped_column(String(80), index=True)
    merchant_uid: Mapped[str] = mapped_column(String(80), index=True)
    schedule_at: Mapped[int] = mapped_column(Integer)
    amount: Mapped[int] = mapped_column(Integer)
    currency: Mapped[str] = mapped_column(String(3), default="KRW")
    name: Mapped[str] = mapped_column(String(200))
    buyer_name: Mapped[str | None] = mapped_column(String(300))
    buyer_email: Mapped[str | None] = mapped_column(String(300))
    buyer_tel: Mapped[str | None] = mapped_column(String(300))
    buyer_addr: Mapped[str | None] = mapped_column(String(300))
    buyer_postcode: Mapped[str | None] = mapped_column(String(300))
    custom_data: Mapped[str | None] = mapped_column(Text)
    # JSON list of the notice_url(s) booked; empty means the console URL.
    notice_urls: Mapped[str] = mapped_column(Text, default="[]")
    # The key's PG when booked.
    pg_provider: Mapped[str] = mapped_column(String(20))
    pg_id: Mapped[str] = mapped_column(String(20))
    # The sandbox's address as the booking request reached it: the payment's receipt_url is
    # built on it, by a runner that has no request of its own.
    base_url: Mapped[str] = mapped_column(String(500))
    schedule_status: Mapped[str] = mapped_column(String(12), default="scheduled")
    booked_at: Mapped[int] = mapped_column(Integer)
    executed_at: Mapped[int] = mapped_column(Integer, default=0)
    revoked_at: Mapped[int] = mapped_column(Integer, default=0)
    # Given when the schedule is claimed for its run, so the claim names its payment.
    imp_uid: Mapped[str | None] = mapped_column(String(40))

    payment: Mapped[Payment | None] = relationship(
        primaryjoin="foreign(Schedule.imp_uid) == Payment.imp_uid", viewonly=True
    )

    def notice_url_list(self) -> list[str]:
        return json.loads(self.notice_urls or "[]")

    def to_api(self) -> dict:
        """The schedule as PortOne's ``ScheduleResult``; ``payment_status`` and ``fail_reason``
        follow its payment, so a refunded scheduled payment reads ``cancelled``."""
        payment = self.payment
        return {
            "customer_uid": self.customer_uid,
            "merchant_uid": self.merchant_uid,
            "imp_uid": self.imp_uid if payment is not None else None,
            "pg_provider": self.pg_provider,
            "pg_id": self.pg_id,
            "customer_id": None,
            "schedule_at": self.schedule_at,
            "executed_at": self.executed_at,
            "revoked_at": self.revoked_at,
            "amount": self.amount,
            "currency": self.currency,
            "name": self.name,
            "buyer_name": self.buyer_name,
            "buyer_email": self.buyer_email,
            "buyer_tel": self.buyer_tel,
            "buyer_addr": self.buyer_addr,
            "buyer_postcode": self.buyer_postcode,
            "custom_data": self.custom_data,
            "schedule_status": self.schedule_status,
            "payment_status": payment.status if payment is not None else None,
            "fail_reason": payment.fail_reason if payment is not None else None,
            "promotion_id": None,
        }
