"""The merchant console: the dashboard at the mount point, its Cancel buttons, its "Run due
schedules" button, its faults and its Reset button.

Its buttons are Flask-WTF forms. A post must carry the CSRF token of the visitor's own dashboard
page and come from the dashboard's origin, so no other site can press them for a visitor. What
cannot be undone (a cancel, a reset) is asked on a page of its own first: the dashboard only
links to it. No page of the console runs a script (its Content-Security-Policy allows none).
"""

from urllib.parse import urlsplit

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_wtf import FlaskForm
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from wtforms import FloatField, IntegerField, SelectChoice, SelectField
from wtforms.validators import InputRequired, NumberRange, Optional

from portone_sandbox import faults, refunds, schedule_runner, state
from portone_sandbox.errors import ApiError
from portone_sandbox.formatting import won
from portone_sandbox.models import BillingKey, Payment, Schedule, WebhookDelivery, db, now

bp = Blueprint("console", __name__)

LISTED = 200


class CancelForm(FlaskForm):
    """The button of a payment's cancel page: refunds the whole balance."""


class RunSchedulesForm(FlaskForm):
    """The "Run due schedules" button: charges what is due by the sandbox's clock now."""


class FaultForm(FlaskForm):
    """The "Arm fault" form: what the ``/_sandbox/faults`` control takes. The fields that do
    not apply to the chosen kind are ignored."""

    kind = SelectField(
        "Fault",
        choices=[
            SelectChoice(kind, label, optgroup="API" if kind in faults.API_FAULTS else "Webhook")
            for kind, label in faults.LABELS.items()
        ],
    )
    count = IntegerField(
        "Times",
        default=1,
        validators=[InputRequired(), NumberRange(1, faults.MAX_COUNT)],
        render_kw={"min": 1, "max": faults.MAX_COUNT},
    )
    endpoint = SelectField("Endpoint (API faults)", default="")
    delay = FloatField(
        "Delay in seconds (hang, delay)",
        validators=[Optional(), NumberRange(0)],
        render_kw={"min": 0, "step": "any"},
    )
    copies = IntegerField(
        "Copies (duplicate)",
        validators=[Optional(), NumberRange(2, faults.MAX_COPIES)],
        render_kw={"min": 2, "max": faults.MAX_COPIES},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.endpoint.choices = [
            SelectChoice("", "Any API call"),
            *(SelectChoice(endpoint) for endpoint in faults.api_endpoints()),
        ]


class ClearFaultsForm(FlaskForm):
    """The "Clear faults" button: disarms every fault."""


class ResetForm(FlaskForm):
    """The button of the reset page: forgets everything."""


@bp.after_request
def _harden(response):
    """The dashboard runs no script and is never framed, so no other site can dress it up and
    have a visitor press its buttons."""
    response.headers["Content-Security-Policy"] = (
        "default-src 'self'; script-src 'none'; base-uri 'none'; object-src 'none'; "
        "form-action 'self'; frame-ancestors 'none'"
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "same-origin"
    return response


@bp.context_processor
def _shop():
    """Where the dashboard links back to (``SANDBOX_SHOP_URL``, set by a shop that mounts the
    sandbox; unset, no link), and by what name."""
    return {
        "shop_url": current_app.config["SANDBOX_SHOP_URL"],
        "merchant_name": current_app.config["SANDBOX_MERCHANT_NAME"],
    }


@bp.get("/")
def index():
    """Payments (with their cancel history), billing keys (with their payments), schedules and
    webhook deliveries, newest first."""
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
    booked = db.session.scalars(
        select(Schedule)
        .options(selectinload(Schedule.payment))
        .order_by(Schedule.schedule_at.desc(), Schedule.id.desc())
        .limit(LISTED)
    ).all()
    return render_template(
        "console/index.html",
        payments=payments,
        keys=keys,
        key_payments=_payments_of(keys),
        schedules=booked,
        deliveries=deliveries,
        now=now(),
        run_form=RunSchedulesForm(),
        faults=faults.armed(),
        fault_form=FaultForm(),
        clear_faults_form=ClearFaultsForm(),
    )


@bp.get("/console/payments/<imp_uid>/cancel")
def confirm_cancel(imp_uid: str):
    """Ask before a cancel: the payment, what would be refunded, and the button that does it."""
    payment = db.session.get(Payment, imp_uid)
    if payment is None:
        abort(404, description="No such payment in the sandbox.")
    return render_template("console/cancel.html", payment=payment, form=CancelForm(), now=now())


@bp.post("/console/payments/<imp_uid>/cancel")
def cancel(imp_uid: str):
    """The cancel page's button: cancel as PortOne's console does, then back to the
    dashboard."""
    _check_form(CancelForm())
    try:
        _, refund = refunds.cancel_from_console(imp_uid)
    except ApiError as error:
        flash(f"{imp_uid}: {error.message}")
    else:
        flash(f"{imp_uid}: {won(refund.amount)} 취소되었습니다.")
    return redirect(url_for(".index"), 303)


@bp.post("/console/schedules/run")
def run_schedules():
    """The "Run due schedules" button, then back to the dashboard's schedules."""
    _check_form(RunSchedulesForm())
    ran = schedule_runner.run_now()
    flash(f"예약결제 {len(ran)}건을 실행했습니다.")
    return redirect(url_for(".index", _anchor="schedules"), 303)


def _payments_of(keys: list[BillingKey]) -> dict[str, list[Payment]]:
    """The payments made with each listed key (issue, again, scheduled), newest first."""
    made: dict[str, list[Payment]] = {key.customer_uid: [] for key in keys}
    if made:
        for payment in db.session.scalars(
            select(Payment)
            .where(Payment.customer_uid.in_(made))
            .order_by(Payment.started_at.desc(), Payment.imp_uid)
            .limit(LISTED)
        ):
            made[payment.customer_uid].append(payment)
    return made


@bp.post("/console/faults")
def arm_fault():
    """The "Arm fault" form: arm it, then back to the dashboard's faults."""
    form = FaultForm()
    _check_form(form)
    kind = form.kind.data
    if form.errors:
        flash(
            " ".join(
                f"{form[name].label.text}: {' '.join(errors)}"
                for name, errors in form.errors.items()
            )
        )
    else:
        try:
            fault = faults.arm(
                kind,
                count=form.count.data,
                endpoint=(form.endpoint.data or None) if kind in faults.API_FAULTS else None,
                delay=form.delay.data if kind in faults.DEFAULT_DELAY else None,
                copies=form.copies.data if kind == "duplicate" else None,
            )
        except ApiError as error:
            flash(error.message)
        else:
            flash(f"장애를 설정했습니다: {faults.describe(fault)}")
    return redirect(url_for(".index", _anchor="faults"), 303)


@bp.get("/console/reset")
def confirm_reset():
    """Ask before a reset: what would be forgotten, and the button that does it."""
    return render_template("console/reset.html", held=state.held(), form=ResetForm(), now=now())


@bp.post("/console/reset")
def reset():
    """The reset page's button: forget everything, then back to the (empty) dashboard."""
    _check_form(ResetForm())
    state.forget_everything()
    flash("샌드박스를 초기화했습니다. Everything is forgotten.")
    return redirect(url_for(".index"), 303)


@bp.post("/console/faults/clear")
def clear_faults():
    """The "Clear faults" button."""
    _check_form(ClearFaultsForm())
    flash(f"장애 설정 {faults.clear()}건을 지웠습니다.")
    return redirect(url_for(".index", _anchor="faults"), 303)


def _check_form(form: FlaskForm) -> None:
    """Refuse a dashboard post from another origin (403) or without the page's CSRF token (400);
    otherwise validate the form, leaving its field errors in ``form.errors``."""
    if not _from_this_origin():
        abort(403, description="The dashboard's buttons work only from the dashboard itself.")
    if not form.validate_on_submit() and "csrf_token" in form.errors:
        abort(400, description="This form has expired. Reload the dashboard and try again.")


def _from_this_origin() -> bool:
    """Whether the browser says the post comes from a page of this origin (``Origin``, which
    browsers send with form posts, or else ``Referer``)."""
    origin = request.headers.get("Origin")
    if origin is None:
        referer = urlsplit(request.headers.get("Referer", ""))
        origin = f"{referer.scheme}://{referer.netloc}"
    return origin == request.host_url.rstrip("/")
