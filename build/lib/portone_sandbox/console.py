"""The merchant console: the dashboard at the mount point and the ``/_sandbox/``
controls tests drive (reset, clock, webhook log, console-style cancel)."""

from datetime import UTC, datetime, timedelta, timezone

from flask import Blueprint, jsonify, redirect, render_template, request, url_for
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from portone_sandbox import refunds, webhooks
from portone_sandbox.errors import ApiError, NotFound
from portone_sandbox.models import (
    BillingKey,
    Payment,
    Setting,
    WebhookDelivery,
    advance_clock,
    db,
    now,
)
from portone_sandbox.params import FORM_MIMETYPES, Params

bp = Blueprint("console", __name__)

KST = timezone(timedelta(hours=9), "KST")
LISTED = 200
CONSOLE_REASON = "관리자 콘솔에서 취소"
MAX_WAIT = 30.0


@bp.errorhandler(ApiError)
def refuse(error: ApiError):
    return jsonify(code=error.code, message=error.message, response=None), error.status


@bp.context_processor
def formatting():
    return {"won": won, "when": when}


def won(amount: int | None) -> str:
    """An amount as PortOne's console shows it: ``14,000원``."""
    return f"{amount or 0:,}원"


def when(timestamp: int | None) -> str:
    """A unix time in Korea's time zone; ``-`` for 0, PortOne's "not happened"."""
    if not timestamp:
        return "-"
    return datetime.fromtimestamp(timestamp, UTC).astimezone(KST).strftime("%Y-%m-%d %H:%M:%S")


@bp.get("/")
def index():
    """Payments (with their cancel history), billing keys and webhook deliveries, newest first."""
    payments = db.session.scalars(
        select(Payment)
        .options(selectinload(Payment.cancels))
        .order_by(Payment.started_at.desc(), Payment.imp_uid)
        .limit(LISTED)
    ).all()
    keys = db.session.scalars(
        select(BillingKey).order_by(BillingKey.updated.desc()).limit(LISTED)
    ).all()
    deliveries = db.session.scalars(
        select(WebhookDelivery).order_by(WebhookDelivery.id.desc()).limit(LISTED)
    ).all()
    return render_template(
        "console/index.html",
        payments=payments,
        keys=keys,
        deliveries=deliveries,
        now=now(),
        notice=request.args.get("notice"),
    )


@bp.post("/_sandbox/reset")
def reset():
    """Forget everything: payments, keys, tokens, deliveries (in flight too), the clock."""
    with webhooks.resetting():
        for table in reversed(db.metadata.sorted_tables):
            db.session.execute(table.delete())
        db.session.commit()
    return jsonify(reset=True, now=now())


@bp.get("/_sandbox/clock")
def clock():
    return jsonify(_clock())


@bp.post("/_sandbox/clock/advance")
def clock_advance():
    """Move the sandbox's clock forward by ``seconds`` (tokens expire, schedules fall due)."""
    seconds = Params.from_request().integer("seconds", 0, minimum=0, maximum=10 * 365 * 86400)
    advance_clock(seconds)
    return jsonify(_clock())


@bp.get("/_sandbox/webhooks")
def deliveries():
    """The delivery log, oldest first. ``wait_for=N`` waits until N deliveries have a final
    result, ``idle=true`` until no delivery is in flight, each for at most ``timeout`` seconds."""
    params = Params.from_request()
    wanted = params.integer("wait_for", 0)
    idle = params.boolean("idle")
    timeout = min(params.integer("timeout", 5, minimum=0), MAX_WAIT)
    settled = webhooks.wait(wanted, idle, timeout) if wanted or idle else True
    log = db.session.scalars(select(WebhookDelivery).order_by(WebhookDelivery.id)).all()
    return jsonify(
        settled=settled,
        in_flight=webhooks.in_flight(),
        deliveries=[delivery.to_api() for delivery in log],
    )


@bp.post("/_sandbox/payments/<imp_uid>/cancel")
def console_cancel(imp_uid: str):
    """Cancel as the merchant would in PortOne's console: like the API, but always notifies.

    The dashboard's form is sent back to the dashboard; JSON callers get PortOne's envelope.
    """
    from_form = request.mimetype in FORM_MIMETYPES
    try:
        params = Params.from_request()
        amount = params.amount()
        reason = params.string("reason", max_length=300) or CONSOLE_REASON
        payment = db.session.get(Payment, imp_uid)
        if payment is None:
            raise NotFound("존재하지 않는 결제정보입니다.")
        refund = refunds.cancel(payment, amount=amount, reason=reason)
    except ApiError as error:
        if from_form:
            return redirect(url_for(".index", notice=f"{imp_uid}: {error.message}"))
        raise
    webhooks.send(payment, status="cancelled", cancellation_id=refund.cancellation_id)
    if from_form:
        notice = f"{imp_uid}: {won(refund.amount)} 취소되었습니다."
        return redirect(url_for(".index", notice=notice))
    return jsonify(code=0, message=None, response=payment.to_api())


def _clock() -> dict:
    offset = db.session.get(Setting, "clock_offset")
    return {"now": now(), "offset": int(offset.value) if offset else 0}
