"""``flask --app shop reconcile``: bring orders in line with PortOne when a door never came.

PortOne sends a webhook once unless retries are switched on, and a buyer may close the page
before it checks again: an outage can leave an order pending that PortOne has paid, or an
order paid that PortOne has since refunded. This re-checks, through ``sync_order`` and
``sync_payment`` (the one place payment state changes), every pending order, every order paid
in the last days, and every payment whose refund did not go through. Run it from cron: two
runs at once are safe, as each change is a conditional UPDATE that only one of them makes.
"""

from collections import Counter
from datetime import datetime, timedelta

import click
from flask.cli import with_appcontext
from sqlalchemy import func, select

from shop.extensions import db
from shop.models import Order, OrderStatus, PaymentEvent, utcnow
from shop.payments import SyncResult, sync_order, sync_payment

SOURCE = "reconcile"


def pending_orders() -> list[int]:
    return db.session.scalars(
        select(Order.id).where(Order.status == OrderStatus.PENDING).order_by(Order.id)
    ).all()


def paid_orders(since: datetime) -> list[str]:
    """The payments of orders paid since ``since``, which PortOne may have refunded since."""
    return db.session.scalars(
        select(Order.imp_uid)
        .where(Order.status == OrderStatus.PAID, Order.paid_at >= since)
        .order_by(Order.id)
    ).all()


def refunds_to_retry(since: datetime) -> list[str]:
    """Payments whose last sync since ``since`` could not refund them."""
    last = (
        select(func.max(PaymentEvent.id))
        .where(PaymentEvent.created_at >= since)
        .group_by(PaymentEvent.imp_uid)
    )
    return db.session.scalars(
        select(PaymentEvent.imp_uid)
        .where(
            PaymentEvent.id.in_(last),
            PaymentEvent.outcome.endswith("_refund_failed", autoescape=True),
        )
        .order_by(PaymentEvent.id)
    ).all()


def reconcile(since: datetime) -> dict[str, list[SyncResult]]:
    """Re-check the pending orders, the orders paid since ``since`` and the refunds to retry."""
    pending = pending_orders()
    paid = paid_orders(since)
    retries = refunds_to_retry(since)
    # Each sync commits: nothing is held between one order and the next.
    db.session.rollback()
    return {
        "pending": [sync_order(db.session.get(Order, order_id), SOURCE) for order_id in pending],
        "paid": [sync_payment(imp_uid, SOURCE) for imp_uid in paid],
        "refunds to retry": [sync_payment(imp_uid, SOURCE) for imp_uid in retries],
    }


def summary(checked: dict[str, list[SyncResult]], since: datetime) -> str:
    """One line: how many of each were checked, and what came of them."""
    counts = ", ".join(f"{len(results)} {name}" for name, results in checked.items())
    outcomes = Counter(result.outcome for results in checked.values() for result in results)
    found = ", ".join(f"{outcome} {n}" for outcome, n in sorted(outcomes.items())) or "nothing"
    return f"Reconciled with PortOne ({counts}; paid since {since:%Y-%m-%d %H:%M} UTC): {found}."


@click.command("reconcile")
@click.option(
    "--days",
    default=7,
    show_default=True,
    type=click.IntRange(min=0),
    help="Re-check orders paid within the last DAYS days for cancels and partial refunds.",
)
@with_appcontext
def reconcile_command(days: int) -> None:
    """Re-check pending and recently paid orders with PortOne; exit 1 if some could not be."""
    since = utcnow() - timedelta(days=days)
    checked = reconcile(since)
    click.echo(summary(checked, since))
    unsettled = sum(not r.settled for results in checked.values() for r in results)
    if unsettled:
        # A non-zero exit makes cron tell someone; the next run tries these again.
        click.echo(
            f"{unsettled} could not be settled now (PortOne unreachable or a refund failed).",
            err=True,
        )
        raise SystemExit(1)
