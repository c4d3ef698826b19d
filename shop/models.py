"""The shop's tables. Money is integer KRW everywhere."""

import secrets
from datetime import UTC, datetime
from enum import StrEnum

from flask_login import UserMixin
from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Enum,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from shop.extensions import db


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


class Product(db.Model):
    __tablename__ = "products"
    # Stock is taken with ``UPDATE … WHERE stock >= quantity``; this is the database's backstop.
    __table_args__ = (CheckConstraint("stock >= 0", name="stock_not_negative"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")
    price: Mapped[int] = mapped_column(Integer)
    stock: Mapped[int] = mapped_column(Integer, default=0)
    image: Mapped[str] = mapped_column(String(200))


class OrderStatus(StrEnum):
    """Where an order stands. Stored as its value; compare with the members, in templates too."""

    PENDING = "pending"
    PAID = "paid"
    FAILED = "failed"
    CANCELLED = "cancelled"
    # PortOne took a different amount than the order's (or part of it was refunded before the
    # order was confirmed): the payment was cancelled back.
    FORGERY = "forgery"
    # Paid after its stock ran out: the payment was cancelled back.
    SOLD_OUT = "sold_out"
    # Not paid within ORDER_PAYABLE_MINUTES: its prices are gone; a later payment is cancelled back.
    EXPIRED = "expired"
    # Tried again as a new order (``replaced_by``): a payment for it is cancelled back.
    REPLACED = "replaced"


class Order(db.Model):
    __tablename__ = "orders"

    id: Mapped[int] = mapped_column(primary_key=True)
    merchant_uid: Mapped[str] = mapped_column(String(40), unique=True)
    # The guest's key to the order page; never derived from anything guessable.
    token: Mapped[str] = mapped_column(
        String(64), unique=True, default=lambda: secrets.token_urlsafe(24)
    )
    # A VARCHAR holding the member's value, read back as the member.
    status: Mapped[OrderStatus] = mapped_column(
        Enum(
            OrderStatus,
            native_enum=False,
            create_constraint=False,
            length=16,
            values_callable=lambda members: [member.value for member in members],
        ),
        default=OrderStatus.PENDING,
        index=True,
    )
    name: Mapped[str] = mapped_column(String(40))
    amount: Mapped[int] = mapped_column(Integer)
    currency: Mapped[str] = mapped_column(String(3), default="KRW")
    buyer_name: Mapped[str] = mapped_column(String(60))
    buyer_email: Mapped[str] = mapped_column(String(120))
    buyer_tel: Mapped[str] = mapped_column(String(30))
    # The delivery address (PortOne's buyer_addr and buyer_postcode): 도로명/지번 주소 and
    # 우편번호, with the buyer's own 상세주소 (flat, floor) beside it.
    buyer_addr: Mapped[str] = mapped_column(String(200))
    buyer_postcode: Mapped[str] = mapped_column(String(10))
    address_detail: Mapped[str | None] = mapped_column(String(100))
    # Who receives the delivery; None (a subscription's, or an order from before) is the buyer.
    recipient_name: Mapped[str | None] = mapped_column(String(60))
    recipient_tel: Mapped[str | None] = mapped_column(String(30))
    # 배송 메모, for the courier: a common one (in Korean) or the buyer's own words.
    delivery_memo: Mapped[str | None] = mapped_column(String(100))
    # Part of ``amount``: the products' lines add up to ``amount - shipping_fee``.
    shipping_fee: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    imp_uid: Mapped[str | None] = mapped_column(String(40), index=True)
    pay_method: Mapped[str | None] = mapped_column(String(20))
    pg_provider: Mapped[str | None] = mapped_column(String(20))
    receipt_url: Mapped[str | None] = mapped_column(String(300))
    fail_reason: Mapped[str | None] = mapped_column(String(300))
    paid_at: Mapped[datetime | None]
    # What PortOne has refunded of the payment that paid the order, in part or in full.
    refunded_amount: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # A payment made later than this is refunded: the order's prices are not kept forever.
    payable_until: Mapped[datetime]
    replaced_by_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    # The account that placed the order; None for a guest's.
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)

    replaced_by: Mapped["Order | None"] = relationship(remote_side=[id])
    items: Mapped[list["OrderItem"]] = relationship(
        back_populates="order", cascade="all, delete-orphan", order_by="OrderItem.id"
    )
    events: Mapped[list["PaymentEvent"]] = relationship(
        back_populates="order", order_by="PaymentEvent.id"
    )
    refunds: Mapped[list["Refund"]] = relationship(back_populates="order", order_by="Refund.id")

    @property
    def overdue(self) -> bool:
        """Whether the order's time to be paid has run out."""
        return utcnow() > self.payable_until

    @property
    def subtotal(self) -> int:
        """What the order's products cost, without the shipping."""
        return self.amount - self.shipping_fee

    @property
    def recipient(self) -> str:
        return self.recipient_name or self.buyer_name

    @property
    def recipient_phone(self) -> str:
        return self.recipient_tel or self.buyer_tel

    @property
    def net_amount(self) -> int:
        """What the buyer has paid and kept paid: the amount less what was refunded."""
        return self.amount - self.refunded_amount

    @property
    def refund_history(self) -> list["Refund"]:
        """The refunds an admin asked for and PortOne made, oldest first."""
        return [refund for refund in self.refunds if refund.outcome == RefundOutcome.REFUNDED]


class OrderItem(db.Model):
    """A line of an order, with the product's name and price as they were when ordered."""

    __tablename__ = "order_items"
    __table_args__ = (UniqueConstraint("order_id", "product_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"))
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"))
    product_name: Mapped[str] = mapped_column(String(120))
    unit_price: Mapped[int] = mapped_column(Integer)
    quantity: Mapped[int] = mapped_column(Integer)

    order: Mapped[Order] = relationship(back_populates="items")
    product: Mapped[Product] = relationship()

    @property
    def line_total(self) -> int:
        return self.unit_price * self.quantity


class PaymentEvent(db.Model):
    """One run of ``sync_payment``: what asked for it, which payment, what came of it."""

    __tablename__ = "payment_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id"), index=True)
    imp_uid: Mapped[str] = mapped_column(String(40), index=True)
    # What asked for the sync: "callback", "redirect", "webhook" or "check".
    source: Mapped[str] = mapped_column(String(16))
    outcome: Mapped[str] = mapped_column(String(32))
    detail: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    order: Mapped[Order | None] = relationship(back_populates="events")


def new_customer_uid() -> str:
    """A billing key's name at PortOne: unguessable, so no one can charge or replace it by name."""
    return f"cu_{secrets.token_urlsafe(24)}"


class User(UserMixin, db.Model):
    """An account: sign-in, the saved delivery details, and its saved Kakao Pay."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(120), unique=True)
    password_hash: Mapped[str] = mapped_column(String(256))
    name: Mapped[str] = mapped_column(String(60))
    phone: Mapped[str | None] = mapped_column(String(30))
    address: Mapped[str | None] = mapped_column(String(200))
    # 상세주소: building, floor and flat, which a Korean address needs to be delivered to.
    address_detail: Mapped[str | None] = mapped_column(String(100))
    postcode: Mapped[str | None] = mapped_column(String(10))
    # Who receives its deliveries when not the account holder (a parent, an office): None for
    # the holder. One-click, Buy now and subscription orders carry them.
    recipient_name: Mapped[str | None] = mapped_column(String(60))
    recipient_tel: Mapped[str | None] = mapped_column(String(30))
    # The customer_uid the next Kakao Pay window registers a key under. It is fresh for every
    # key, so a replacement never overwrites the key in use before the new one is verified.
    next_customer_uid: Mapped[str] = mapped_column(
        String(80), unique=True, default=new_customer_uid
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Admins see every order and can refund (``flask --app shop create-admin EMAIL``).
    is_admin: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    billing_keys: Mapped[list["BillingKey"]] = relationship(
        back_populates="user", order_by="BillingKey.id"
    )

    @property
    def billing_key(self) -> "BillingKey | None":
        """The saved Kakao Pay that one-click buying charges."""
        return next((key for key in self.billing_keys if not key.replaced), None)

    @property
    def replaced_keys(self) -> list["BillingKey"]:
        """Keys replaced by a newer one that PortOne has not yet confirmed deleting."""
        return [key for key in self.billing_keys if key.replaced]

    def has_delivery_details(self) -> bool:
        return bool(self.phone and self.address and self.postcode)

    def buyer(self) -> dict:
        """The account's details as an order's ``buyer_*`` fields (PortOne's too), its
        ``address_detail`` and its recipient (None: the buyer)."""
        return {
            "buyer_name": self.name,
            "buyer_email": self.email,
            "buyer_tel": self.phone or "",
            "buyer_addr": self.address or "",
            "buyer_postcode": self.postcode or "",
            "address_detail": self.address_detail,
            "recipient_name": self.recipient_name,
            "recipient_tel": self.recipient_tel,
        }

    def delivery(self) -> dict:
        """The details as the account's and the checkout's forms show them: ``buyer()``, with
        "Same as buyer" ticked unless another recipient is saved."""
        return {**self.buyer(), "same_as_buyer": not self.recipient_name}


class BillingKey(db.Model):
    """A Kakao Pay billing key as PortOne described it (``GET /subscribe/customers/{uid}``).

    The key itself stays at PortOne; the shop keeps its ``customer_uid`` and what PortOne shows
    of it: the provider, the card's name and masked number (none for KakaoMoney), and dates.
    """

    __tablename__ = "billing_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    customer_uid: Mapped[str] = mapped_column(String(80), unique=True)
    pg_provider: Mapped[str] = mapped_column(String(20))
    card_name: Mapped[str | None] = mapped_column(String(40))
    card_number: Mapped[str | None] = mapped_column(String(40))
    inserted_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    # Superseded by a newer key, and still to be deleted at PortOne.
    replaced: Mapped[bool] = mapped_column(Boolean, default=False)

    user: Mapped[User] = relationship(back_populates="billing_keys")


class RefundOutcome(StrEnum):
    """What PortOne answered an admin's ``POST /payments/cancel``."""

    REFUNDED = "refunded"
    # PortOne said no: most often its refundable balance is not the checksum the shop sent.
    REFUSED = "refused"
    # No answer to go by (PortOne unreachable, or an answer without the payment): the refund
    # may or may not have been made, and the next sync of the payment tells.
    UNCONFIRMED = "unconfirmed"


class Refund(db.Model):
    """An admin's refund of a paid order (``POST /payments/cancel``) and PortOne's answer.

    The order's ``refunded_amount`` and status are not changed here: they follow PortOne's own
    record, re-fetched by ``sync_payment``, so a refund and its webhook count once.
    """

    __tablename__ = "refunds"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    imp_uid: Mapped[str] = mapped_column(String(40))
    amount: Mapped[int] = mapped_column(Integer)
    # The refundable balance the shop believed (amount less refunded), sent as ``checksum``.
    checksum: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(String(200))
    outcome: Mapped[str] = mapped_column(String(16))
    # PortOne's message when it refused, or why there was no answer.
    detail: Mapped[str | None] = mapped_column(String(300))
    admin_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    order: Mapped[Order] = relationship(back_populates="refunds")
    admin: Mapped[User] = relationship()


class Plan(db.Model):
    """A subscription plan: what is delivered, its price, and how many months a period lasts."""

    __tablename__ = "plans"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    # Kakao Pay's window and PortOne's schedules show 40 characters of a name.
    name: Mapped[str] = mapped_column(String(40))
    description: Mapped[str] = mapped_column(Text, default="")
    price: Mapped[int] = mapped_column(Integer)
    interval_months: Mapped[int] = mapped_column(Integer, default=1)


class SubscriptionStatus(StrEnum):
    """Where a subscription stands (``shop/subscriptions/``)."""

    # Its first charge, in Kakao Pay's window, is not confirmed yet.
    PENDING = "pending"
    ACTIVE = "active"
    # A renewal was declined; it is tried again (``RETRY_AFTER``), then the subscription ends.
    PAST_DUE = "past_due"
    # Nothing more is charged; it runs until ``paid_until``.
    CANCELLED = "cancelled"
    ENDED = "ended"


class PeriodStatus(StrEnum):
    """Where the charge of one period of a subscription stands."""

    # The first period: paid in Kakao Pay's window, which also saves the billing key.
    WINDOW = "window"
    # The shop still has to book the charge with PortOne (``charge_at``).
    TO_BOOK = "to_book"
    # PortOne holds a booking (a scheduled payment) under ``customer_uid``.
    BOOKED = "booked"
    # Being charged at once (``again``), after the buyer replaced a declining key.
    CHARGING = "charging"
    PAID = "paid"
    # Declined on every try: the subscription ended.
    DECLINED = "declined"
    # Not to be charged: the subscription was cancelled or its key removed.
    REVOKED = "revoked"


def _status_column(enum, default):
    """A VARCHAR holding the member's value, read back as the member."""
    return mapped_column(
        Enum(
            enum,
            native_enum=False,
            create_constraint=False,
            length=16,
            values_callable=lambda members: [member.value for member in members],
        ),
        default=default,
        index=True,
    )


class Subscription(db.Model):
    """An account's subscription to a plan, charged to the account's saved Kakao Pay."""

    __tablename__ = "subscriptions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id"))
    status: Mapped[SubscriptionStatus] = _status_column(
        SubscriptionStatus, SubscriptionStatus.PENDING
    )
    # The plan's price when subscribed: every period is charged this.
    amount: Mapped[int] = mapped_column(Integer)
    # The customer_uid the subscription's Kakao Pay window registers the billing key under.
    customer_uid: Mapped[str] = mapped_column(String(80))
    # "<user_id>:<plan_id>" until the subscription ends, then NULL: an account holds one
    # subscription of a plan at a time, whatever requests arrive at once.
    live_key: Mapped[str | None] = mapped_column(String(40), unique=True)
    # When the first charge was paid, by PortOne's clock: every period is counted from it.
    started_at: Mapped[datetime | None]
    # The end of the last period paid for.
    paid_until: Mapped[datetime | None]
    # PortOne's reason for the last declined renewal (or why the subscription cannot renew).
    fail_reason: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    user: Mapped[User] = relationship()
    plan: Mapped[Plan] = relationship()
    periods: Mapped[list["SubscriptionPeriod"]] = relationship(
        back_populates="subscription", order_by="SubscriptionPeriod.number"
    )


class SubscriptionPeriod(db.Model):
    """One period of a subscription and its charge: an ``Order`` whose merchant_uid,
    ``sub_<subscription id>_p<number>``, is the one every try of this charge uses, so PortOne
    takes it at most once and ``sync_payment`` fulfils it at most once."""

    __tablename__ = "subscription_periods"
    __table_args__ = (UniqueConstraint("subscription_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    subscription_id: Mapped[int] = mapped_column(ForeignKey("subscriptions.id"))
    number: Mapped[int] = mapped_column(Integer)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), unique=True)
    status: Mapped[PeriodStatus] = _status_column(PeriodStatus, PeriodStatus.TO_BOOK)
    # By PortOne's clock; the first period's are known once it is paid.
    starts_at: Mapped[datetime | None]
    ends_at: Mapped[datetime | None]
    # When the booked charge, or its next try, runs.
    charge_at: Mapped[datetime | None]
    # The billing key PortOne holds the booking under.
    customer_uid: Mapped[str | None] = mapped_column(String(80))
    # Renewal tries PortOne declined.
    declines: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    subscription: Mapped[Subscription] = relationship(back_populates="periods")
    order: Mapped[Order] = relationship()
