"""The merchant console: the dashboard at the mount point, and its Cancel buttons.

Its buttons are Flask-WTF forms. A post must carry the CSRF token of the visitor's own dashboard
page and come from the dashboard's origin, so no other site can press them for a visitor.
"""

from urllib.parse import urlsplit

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from portone_sandbox import refunds
from portone_sandbox.errors import ApiError
from portone_sandbox.formatting import won
from portone_sandbox.models import BillingKey, Payment, WebhookDelivery, db, now

bp = Blueprint("console", __name__)

LISTED = 200


class CancelForm(FlaskForm):
    """The Cancel button beside a paid payment: refunds the whole balance."""


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
        cancel_form=CancelForm(),
    )


@bp.post("/console/payments/<imp_uid>/cancel")
def cancel(imp_uid: str):
    """The Cancel button: cancel as PortOne's console does, then back to the dashboard."""
    if not _from_this_origin():
        abort(403, description="The dashboard's buttons work only from the dashboard itself.")
    if not CancelForm().validate_on_submit():
        abort(400, description="This form has expired. Reload the dashboard and try again.")
    try:
        _, refund = refunds.cancel_from_console(imp_uid)
    except ApiError as error:
        flash(f"{imp_uid}: {error.message}")
    else:
        flash(f"{imp_uid}: {won(refund.amount)} 취소되었습니다.")
    return redirect(url_for(".index"), 303)


def _from_this_origin() -> bool:
    """Whether the browser says the post comes from a page of this origin (``Origin``, which
    browsers send with form posts, or else ``Referer``)."""
    origin = request.headers.get("Origin")
    if origin is None:
        referer = urlsplit(request.headers.get("Referer", ""))
        origin = f"{referer.scheme}://{referer.netloc}"
    return origin == request.host_url.rstrip("/")
