"""The plans page, subscribing in Kakao Pay's window and its two doors, cancel and resume.

PortOne is asked at each step:
- **Subscribe**: ``POST /payments/prepare`` for the first charge; the window then takes it and
  saves the billing key (``IMP.request_pay`` with ``customer_uid`` and the amount).
- completion (PC callback POST, phone redirect GET) and the webhook: ``GET
  /payments/{imp_uid}`` in ``sync_payment`` (a door of a first charge already paid by that
  payment is answered from the database, as ``notified`` answers a checkout's); once paid,
  ``GET /subscribe/customers/{customer_uid}`` for the key and ``POST
  /subscribe/payments/schedule`` for the next charge.
- **Cancel subscription**: ``POST /subscribe/payments/unschedule``; **Resume subscription**:
  ``POST /subscribe/payments/schedule``.
Nothing the browser sends but the ``imp_uid`` is read, and only to ask PortOne.
"""

from flask import (
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy import select

from shop.checkout.payment_request import request_pay_params
from shop.checkout.window_errors import window_error
from shop.extensions import db
from shop.forms import EmptyForm
from shop.models import (
    OrderStatus,
    PeriodStatus,
    Plan,
    Subscription,
    SubscriptionPeriod,
    SubscriptionStatus,
)
from shop.payments import SyncOutcome, notified
from shop.portone import is_imp_uid
from shop.subscriptions import bp
from shop.subscriptions.charges import period_of
from shop.subscriptions.lifecycle import (
    KEY_REMOVED,
    LIVE,
    SubscribeError,
    cancel,
    open_period,
    resume,
    start,
)
from shop.subscriptions.renewals import DECLINED, NO_KEY, activate
from shop.urls import public_url

USER_CANCELLED = "사용자가 결제를 취소하셨습니다"
NOT_AN_IMP_UID = _l("imp_uid is not a PortOne payment id.")
NOT_YOURS = _l("We can't show that payment here: it is not a subscription of this account.")
DETAILS_FIRST = _l("Save your delivery details first: the box is delivered there.")
# The reasons the shop stores in English on a subscription; PortOne's own are shown as given.
SHOP_REASONS = {KEY_REMOVED, NO_KEY, DECLINED}


@bp.app_context_processor
def subscription_context() -> dict:
    """For every template: ``SubscriptionStatus`` and ``PeriodStatus``, compared by name,
    ``next_charge(subscription)`` and ``shown_reason(reason)``."""
    return {
        "SubscriptionStatus": SubscriptionStatus,
        "PeriodStatus": PeriodStatus,
        "next_charge": open_period,
        "shown_reason": shown_reason,
    }


def shown_reason(reason: str | None) -> str:
    """A subscription's reason in the buyer's language: the shop's own translated."""
    return _(reason) if reason in SHOP_REASONS else reason or ""


@bp.get("/plans")
def plans():
    """The plans, each with "Subscribe" (or what stands in its way)."""
    found = db.session.scalars(select(Plan).order_by(Plan.id)).all()
    live = {}
    if current_user.is_authenticated:
        live = {
            subscription.plan_id: subscription
            for subscription in db.session.scalars(
                select(Subscription).where(
                    Subscription.user_id == current_user.id,
                    Subscription.status.in_(LIVE),
                    Subscription.status != SubscriptionStatus.PENDING,
                )
            )
        }
    return render_template(
        "subscriptions/plans.html",
        plans=found,
        live=live,
        form=EmptyForm(),
        sdk_url=current_app.config["PORTONE_SDK_URL"],
        imp_code=current_app.config["PORTONE_IMP_CODE"],
    )


@bp.post("/plans/<slug>/subscribe")
@login_required
def subscribe(slug: str):
    """The first charge's window: a pending subscription and order, and the parameters of
    ``IMP.request_pay`` (the amount and ``customer_uid`` the server's)."""
    plan = db.session.scalar(select(Plan).where(Plan.slug == slug))
    if plan is None:
        return jsonify(error=_("We couldn't find that plan.")), 404
    if not EmptyForm().validate_on_submit():
        return jsonify(error=_("Reload the page and try again.")), 400
    if not current_user.has_delivery_details():
        return jsonify(error=str(DETAILS_FIRST)), 409
    try:
        first = start(current_user, plan)
    except SubscribeError as exc:
        return jsonify(error=str(exc)), 409
    params = {
        **request_pay_params(first.order),
        "customer_uid": first.subscription.customer_uid,
        "m_redirect_url": public_url("subscriptions.complete_mobile"),
    }
    return jsonify(params=params)


@bp.post("/subscriptions/complete")
@login_required
def complete():
    """PC door: the window's callback posts ``imp_uid``; the answer says where to go."""
    data = request.get_json(silent=True)
    imp_uid = data.get("imp_uid") if isinstance(data, dict) else None
    if not isinstance(imp_uid, str) or not is_imp_uid(imp_uid):
        return jsonify(error=str(NOT_AN_IMP_UID)), 400
    destination = _completed(imp_uid, "callback")
    if destination is None:
        return jsonify(error=str(NOT_YOURS)), 404
    return jsonify(redirect=destination)


@bp.get("/subscriptions/complete")
@login_required
def complete_mobile():
    """Phone door: Kakao Pay sends the browser here. Only ``imp_uid`` is read, to ask PortOne."""
    imp_uid = request.args.get("imp_uid")
    if not imp_uid:
        # Refused before any payment existed (e.g. the first charge was paid already).
        flash(window_error(request.args.get("error_code")), "error")
        return redirect(url_for(".plans"), 303)
    if not is_imp_uid(imp_uid):
        abort(400, description=str(NOT_AN_IMP_UID))
    destination = _completed(imp_uid, "redirect")
    if destination is None:
        flash(str(NOT_YOURS), "error")
        return redirect(url_for(".plans"), 303)
    return redirect(destination, 303)


@bp.post("/subscriptions/<int:subscription_id>/cancel")
@login_required
def cancel_subscription(subscription_id: int):
    subscription = _mine(subscription_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    if cancel(subscription):
        if subscription.status == SubscriptionStatus.CANCELLED:
            flash(
                _(
                    "Your subscription is cancelled: nothing more will be charged, and it runs "
                    "until the end of the period you paid for."
                ),
                "success",
            )
        else:
            flash(_("Your subscription has ended. Nothing more will be charged."), "success")
    else:
        flash(_("This subscription is not renewing, so there was nothing to cancel."), "info")
    return redirect(url_for("account.index"), 303)


@bp.post("/subscriptions/<int:subscription_id>/resume")
@login_required
def resume_subscription(subscription_id: int):
    subscription = _mine(subscription_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    if resume(subscription):
        flash(_("Your subscription renews again."), "success")
    elif current_user.billing_key is None:
        flash(_("Save Kakao Pay first: the renewals are charged to it."), "error")
    else:
        flash(_("This subscription can no longer be resumed. You can subscribe again."), "error")
    return redirect(url_for("account.index"), 303)


def _mine(subscription_id: int) -> Subscription:
    """One of the account's subscriptions; anyone else's is not found."""
    subscription = db.session.get(Subscription, subscription_id)
    if subscription is None or subscription.user_id != current_user.id:
        abort(404)
    return subscription


def _completed(imp_uid: str, source: str) -> str | None:
    """Sync the window's payment, start the subscription if it was paid, say what happened,
    and where to go; None when it is no first charge of this account's."""
    result = notified(imp_uid, source)
    if result.outcome == SyncOutcome.UNAVAILABLE:
        flash(
            _(
                "Kakao Pay could not be reached to confirm your payment. Your subscription "
                "shows here once it is confirmed."
            ),
            "info",
        )
        return url_for("account.index")
    period = period_of(result.order) if result.order is not None else None
    if period is None or period.number != 1 or period.subscription.user_id != current_user.id:
        return None
    # The webhook may have started it already; if not (PortOne was out of reach), now.
    activate(period)
    return _first_charge_news(period)


def _first_charge_news(first: SubscriptionPeriod) -> str:
    """Flash what came of the first charge; the page to show it on."""
    subscription, order = first.subscription, first.order
    if subscription.status == SubscriptionStatus.ACTIVE:
        flash(_("You subscribe to %(plan)s. Thank you!", plan=subscription.plan.name), "success")
    elif subscription.status == SubscriptionStatus.CANCELLED and subscription.fail_reason == NO_KEY:
        flash(
            _(
                "Your first box is paid, but Kakao Pay did not save a payment method for the "
                "renewals. Save Kakao Pay to renew."
            ),
            "error",
        )
    elif order.status == OrderStatus.PAID:
        flash(_("Your first payment is confirmed; your subscription starts in a moment."), "info")
    elif order.status == OrderStatus.FAILED and USER_CANCELLED in (order.fail_reason or ""):
        flash(_("You cancelled the Kakao Pay payment. Nothing was charged."), "info")
        return url_for(".plans")
    elif order.status == OrderStatus.FAILED:
        flash(
            _(
                "Kakao Pay did not approve the payment (%(reason)s). Nothing was charged.",
                reason=order.fail_reason,
            ),
            "error",
        )
        return url_for(".plans")
    else:
        flash(_("We are waiting for Kakao Pay to confirm your payment."), "info")
    return url_for("account.index")
