"""The sandbox's whole state at once: what a reset would forget, and the reset itself (the
``/_sandbox/reset`` control and the dashboard's Reset button)."""

from sqlalchemy import func, select

from portone_sandbox import faults, schedule_runner, webhooks
from portone_sandbox.models import BillingKey, Payment, Schedule, WebhookDelivery, db


def held() -> dict[str, int]:
    """How many payments, billing keys, schedules, webhook deliveries and armed faults there
    are, as the dashboard names them."""
    counted = {
        "payments": Payment,
        "billing keys": BillingKey,
        "schedules": Schedule,
        "webhook deliveries": WebhookDelivery,
    }
    counts = {
        name: db.session.scalar(select(func.count()).select_from(model))
        for name, model in counted.items()
    }
    counts["armed faults"] = len(faults.armed())
    return counts


def forget_everything() -> None:
    """Forget payments, keys, schedules, tokens, deliveries (in flight too), faults, the
    clock."""
    with schedule_runner.paused(), webhooks.resetting():
        for table in reversed(db.metadata.sorted_tables):
            db.session.execute(table.delete())
        db.session.commit()
