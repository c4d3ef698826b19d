"""Order statuses, the doors a payment arrives by and ``sync_payment``'s verdicts, as the admin
pages say them."""

from dataclasses import dataclass
from datetime import datetime

from shop.models import Order, OrderStatus, RefundOutcome

STATUS_LABELS = {
    OrderStatus.PENDING: "Pending",
    OrderStatus.PAID: "Paid",
    OrderStatus.FAILED: "Failed",
    OrderStatus.CANCELLED: "Cancelled",
    OrderStatus.FORGERY: "Amount mismatch (refunded)",
    OrderStatus.SOLD_OUT: "Sold out (refunded)",
    OrderStatus.EXPIRED: "Expired",
    OrderStatus.REPLACED: "Replaced by a retry",
}

# The badge each status wears (the colours of "My orders"): the rest are refused or closed.
STATUS_BADGES = {OrderStatus.PAID: "paid", OrderStatus.PENDING: "pending"}

REFUND_OUTCOMES = {
    RefundOutcome.REFUNDED: "Refunded",
    RefundOutcome.REFUSED: "Refused",
    RefundOutcome.UNCONFIRMED: "No answer",
}

SOURCES = {
    "callback": "The buyer's browser (PC callback)",
    "redirect": "The buyer's phone, back from Kakao Pay",
    "webhook": "PortOne's webhook",
    "check": "The order page, asking again",
    "again": "A charge of the saved Kakao Pay",
    "admin": "An admin's refund, read back",
    "reconcile": "The reconcile command",
}

VERDICTS = {
    "paid": "Paid in full, the amount matches the order: the order is paid and its stock taken.",
    "already_paid": "The order's own payment again: nothing new.",
    "refunded_in_part": "PortOne shows part of the payment refunded: the order's refunded "
    "amount is updated.",
    "cancelled": "PortOne shows the payment cancelled: the order is cancelled and any stock "
    "it took is back.",
    "failed": "Kakao Pay did not approve the payment.",
    "no_change": "Nothing to change: the order was already in that state.",
    "not_paid_yet": "PortOne has the payment, not paid yet.",
    "no_payment": "PortOne has no payment for this order yet.",
    "expired": "The order's time to be paid ran out.",
    "forgery": "The amount paid is not the order's, or part was refunded before it was "
    "confirmed: the order is flagged and the payment is refunded.",
    "sold_out": "Paid after its stock ran out: the payment is refunded.",
    "already_refunded": "Already refunded at PortOne by another arrival.",
    "unavailable": "PortOne could not be reached: nothing changed, it is checked again later.",
    "refused": "PortOne refused to show the payment.",
}

# Why a payment was refunded, from the first part of ``<why>_refunded`` / ``<why>_refund_failed``.
REFUND_REASONS = {
    "duplicate": "a second payment of an order already paid",
    "closed": "a payment of an order closed to payments",
    "forgery": "the amount did not match the order",
    "sold_out": "sold out",
    "expired": "paid after the order's time ran out",
}


def verdict(outcome: str) -> str:
    """What an outcome of ``sync_payment`` meant, in a sentence (the outcome itself if new)."""
    if outcome in VERDICTS:
        return VERDICTS[outcome]
    for suffix, sentence in (
        ("_refund_failed", "The refund ({}) did not go through: it is tried again."),
        ("_refunded", "Refunded at PortOne: {}."),
    ):
        why = outcome.removesuffix(suffix)
        if why != outcome and why in REFUND_REASONS:
            return sentence.format(REFUND_REASONS[why])
    return outcome


@dataclass
class Step:
    """One arrival of a payment at ``sync_payment``, and what came of it."""

    at: datetime
    source: str
    imp_uid: str
    outcome: str
    verdict: str
    detail: str | None


def timeline(order: Order) -> list[Step]:
    """The order's verification timeline: every arrival of its payments, oldest first."""
    return [
        Step(
            at=event.created_at,
            source=SOURCES.get(event.source, event.source),
            imp_uid=event.imp_uid,
            outcome=event.outcome,
            verdict=verdict(event.outcome),
            detail=event.detail,
        )
        for event in order.events
    ]
