"""How an order's payment was verified, in the buyer's words: one step per ``PaymentEvent``.

Each event is one arrival (the page's callback, the phone's redirect, PortOne's webhook, the
shop's own check, a charge of a saved Kakao Pay), one re-fetch of the payment from PortOne, and
what ``sync_payment`` decided from it. Shown on every order page, it teaches the flow: none of
the messages is believed, each one makes the shop ask PortOne, and only one changes the order.
A notification of an order paid by that very payment already leaves no event: the database
answers it (``shop.payments.notified``).
"""

from dataclasses import dataclass, replace
from datetime import datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from shop.checkout.window_errors import USER_CANCELLED, sentence
from shop.models import Order, PaymentEvent
from shop.payments import SyncOutcome

# What arrived, by the event's ``source``.
ARRIVALS = {
    "callback": _l("Your browser handed over the Kakao Pay window's result (the page's callback)."),
    "redirect": _l("Kakao Pay sent your phone back to the shop (the mobile redirect)."),
    "webhook": _l("PortOne told the shop's server about the payment (the webhook)."),
    "check": _l("The shop checked with PortOne by itself."),
    "again": _l("The shop charged your saved Kakao Pay."),
}
OTHER_ARRIVAL = _l("The shop checked the payment.")

GOOD, NEUTRAL, BAD = "good", "neutral", "bad"

# What the shop made of PortOne's answer, by the event's ``outcome``: (words, tone).
VERDICTS = {
    SyncOutcome.PAID: (
        _l("PortOne confirmed the payment of the order's amount: order paid."),
        GOOD,
    ),
    SyncOutcome.ALREADY_PAID: (
        _l("Already confirmed, so nothing changed: the shop acts on a payment once."),
        NEUTRAL,
    ),
    SyncOutcome.NO_CHANGE: (_l("Nothing to change."), NEUTRAL),
    SyncOutcome.NOT_PAID_YET: (_l("Not paid yet: the Kakao Pay window was still open."), NEUTRAL),
    SyncOutcome.FAILED: (_l("Kakao Pay did not approve it. Nothing was charged."), BAD),
    SyncOutcome.CANCELLED: (_l("PortOne shows the payment cancelled: order cancelled."), BAD),
    SyncOutcome.EXPIRED: (_l("The time to pay this order ran out: order expired."), BAD),
    SyncOutcome.REFUNDED_IN_PART: (
        _l("PortOne shows part of the payment refunded: noted on the order."),
        NEUTRAL,
    ),
    SyncOutcome.UNAVAILABLE: (
        _l("PortOne could not be reached, so nothing was decided; the shop asks again."),
        NEUTRAL,
    ),
    SyncOutcome.FORGERY: (
        _l("The amount paid did not match the order: the payment is refused and refunded."),
        BAD,
    ),
    SyncOutcome.SOLD_OUT: (
        _l("An item sold out before the payment was confirmed: the payment is refunded."),
        BAD,
    ),
    SyncOutcome.DUPLICATE: (
        _l("The order was already paid by another payment: this one is refunded."),
        BAD,
    ),
    SyncOutcome.CLOSED: (_l("The order could no longer be paid: the payment is refunded."), BAD),
    SyncOutcome.ALREADY_REFUNDED: (_l("Already refunded."), NEUTRAL),
}
REFUNDED = (_l("Refunded in full to your Kakao Pay."), NEUTRAL)
REFUND_FAILED = (_l("The refund could not be made yet; the shop tries again."), BAD)
OTHER_VERDICT = (_l("PortOne did not confirm a payment; nothing changed."), NEUTRAL)


@dataclass(frozen=True)
class Step:
    """One verification, or several alike in a row (``times``)."""

    at: datetime
    arrival: str
    # The payment the shop asked PortOne for (``GET /payments/{imp_uid}``); None when PortOne
    # was asked by the order's merchant_uid and had no payment to show.
    imp_uid: str | None
    verdict: str
    tone: str
    times: int = 1


def timeline(order: Order) -> list[Step]:
    """The order's verifications, oldest first, repeats in a row folded into one step."""
    steps: list[Step] = []
    for event in order.events:
        step = _step(event)
        if steps and _alike(steps[-1], step):
            steps[-1] = replace(steps[-1], times=steps[-1].times + 1)
        else:
            steps.append(step)
    return steps


def _alike(one: Step, other: Step) -> bool:
    return (one.arrival, one.imp_uid, one.verdict) == (other.arrival, other.imp_uid, other.verdict)


def _step(event: PaymentEvent) -> Step:
    verdict, tone = _verdict(event)
    return Step(
        at=event.created_at,
        arrival=str(ARRIVALS.get(event.source, OTHER_ARRIVAL)),
        imp_uid=event.imp_uid if event.imp_uid != "-" else None,
        verdict=str(verdict),
        tone=tone,
    )


def _verdict(event: PaymentEvent) -> tuple[str, str]:
    outcome = event.outcome
    if outcome in (SyncOutcome.FAILED, SyncOutcome.NO_CHANGE) and event.detail:
        # The payment failed: its detail is PortOne's fail_reason.
        if USER_CANCELLED in event.detail:
            return _("You closed the Kakao Pay window. Nothing was charged."), NEUTRAL
        reason = sentence(event.detail)
        return _(
            "Kakao Pay did not approve it: %(reason)s Nothing was charged.", reason=reason
        ), BAD
    if outcome.endswith("_refund_failed"):
        return REFUND_FAILED
    if outcome.endswith("_refunded"):
        return REFUNDED
    return VERDICTS.get(outcome, OTHER_VERDICT)
