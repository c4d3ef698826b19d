"""The doors a payment arrives by, ``sync_payment``'s verdicts and refunds' outcomes, as the admin
pages say them (order statuses: ``shop.statuses``)."""

from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from shop.models import Order, RefundOutcome

REFUND_OUTCOMES = {
    RefundOutcome.REFUNDED: _l("Refunded"),
    RefundOutcome.REFUSED: _l("Refused"),
    RefundOutcome.UNCONFIRMED: _l("No answer"),
}

SOURCES = {
    "callback": _l("The buyer's browser (PC callback)"),
    "redirect": _l("The buyer's phone, back from Kakao Pay"),
    "webhook": _l("PortOne's webhook"),
    "check": _l("The order page, asking again"),
    "again": _l("A charge of the saved Kakao Pay"),
    "admin": _l("An admin's refund, read back"),
    "reconcile": _l("The reconcile command"),
}

VERDICTS = {
    "paid": _l(
        "Paid in full, the amount matches the order: the order is paid and its stock taken."
    ),
    "already_paid": _l("The order's own payment again: nothing new."),
    "refunded_in_part": _l(
        "PortOne shows part of the payment refunded: the order's refunded amount is updated."
    ),
    "cancelled": _l(
        "PortOne shows the payment cancelled: the order is cancelled and any stock it took is back."
    ),
    "failed": _l("Kakao Pay did not approve the payment."),
    "no_change": _l("Nothing to change: the order was already in that state."),
    "not_paid_yet": _l("PortOne has the payment, not paid yet."),
    "no_payment": _l("PortOne has no payment for this order yet."),
    "expired": _l("The order's time to be paid ran out."),
    "forgery": _l(
        "The amount paid is not the order's, or part was refunded before it was confirmed: the "
        "order is flagged and the payment is refunded."
    ),
    "sold_out": _l("Paid after its stock ran out: the payment is refunded."),
    "already_refunded": _l("Already refunded at PortOne by another arrival."),
    "unavailable": _l("PortOne could not be reached: nothing changed, it is checked again later."),
    "refused": _l("PortOne refused to show the payment."),
}

# Why a payment was refunded, from the first part of ``<why>_refunded`` / ``<why>_refund_failed``.
REFUND_REASONS = {
    "duplicate": _l("a second payment of an order already paid"),
    "closed": _l("a payment of an order closed to payments"),
    "forgery": _l("the amount did not match the order"),
    "sold_out": _l("sold out"),
    "expired": _l("paid after the order's time ran out"),
}


def verdict(outcome: str) -> str:
    """What an outcome of ``sync_payment`` meant, in a sentence (the outcome itself if new)."""
    if outcome in VERDICTS:
        return str(VERDICTS[outcome])
    why = outcome.removesuffix("_refund_failed")
    if why != outcome and why in REFUND_REASONS:
        return _(
            "The refund (%(why)s) did not go through: it is tried again.", why=REFUND_REASONS[why]
        )
    why = outcome.removesuffix("_refunded")
    if why != outcome and why in REFUND_REASONS:
        return _("Refunded at PortOne: %(why)s.", why=REFUND_REASONS[why])
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
            source=str(SOURCES.get(event.source, event.source)),
            imp_uid=event.imp_uid,
            outcome=event.outcome,
            verdict=verdict(event.outcome),
            detail=event.detail,
        )
        for event in order.events
    ]
