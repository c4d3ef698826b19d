"""Sign-up, log-in, log-out, the account page with its delivery details, and "My orders"."""

import functools

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from werkzeug.security import check_password_hash, generate_password_hash

from shop.account import bp
from shop.account.billing import window_params
from shop.account.forms import DeliveryForm, LogInForm, SignUpForm
from shop.account.sessions import log_in, log_out
from shop.extensions import db, limiter
from shop.forms import EmptyForm
from shop.models import Order, SubscriptionPeriod, User
from shop.statuses import STATUS_LABELS
from shop.subscriptions.lifecycle import subscriptions_of
from shop.urls import local_path

WRONG_PASSWORD = _l("That email and password don't match an account.")
EMAIL_TAKEN = _l("An account with this email already exists. Log in instead.")
TOO_MANY_FAILURES = _l("Too many failed log-ins. Please wait a few minutes and try again.")


def hash_password(password: str) -> str:
    return generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])


@functools.cache
def _no_one(method: str) -> str:
    """Checked when no account has the email, so an unknown email takes as long as a wrong
    password."""
    return generate_password_hash("not anyone's password", method=method)


def _log_in_failed(response) -> bool:
    """Only refused log-ins count towards the limit; a successful one redirects."""
    return response.status_code != 303


def _address_and_account() -> str:
    email = request.form.get("email", "")
    return f"{get_remote_address()}/{email.strip().lower()[:120]}"


# Sign-up, log-in, log-out ------------------------------------------------------------------


@bp.route("/signup", methods=["GET", "POST"])
def sign_up():
    form = SignUpForm()
    if form.validate_on_submit():
        user = User(
            name=form.name.data.strip(),
            email=form.email.data,
            password_hash=hash_password(form.password.data),
        )
        db.session.add(user)
        try:
            db.session.commit()
        except IntegrityError:
            db.session.rollback()
            form.email.errors.append(str(EMAIL_TAKEN))
        else:
            log_in(user)
            flash(_("Welcome, %(name)s! Your account is ready.", name=user.name), "success")
            return redirect(local_path(request.args.get("next")) or url_for(".index"), 303)
    status = 400 if form.is_submitted() else 200
    return render_template("account/sign_up.html", form=form), status


@bp.route("/login", methods=["GET", "POST"], endpoint="log_in")
@limiter.limit(
    lambda: current_app.config["LOGIN_FAILURES_PER_ACCOUNT"],
    key_func=_address_and_account,
    methods=["POST"],
    deduct_when=_log_in_failed,
    error_message=TOO_MANY_FAILURES,
)
@limiter.limit(
    lambda: current_app.config["LOGIN_FAILURES_PER_ADDRESS"],
    methods=["POST"],
    deduct_when=_log_in_failed,
    error_message=TOO_MANY_FAILURES,
)
def log_in_view():
    form = LogInForm()
    if form.validate_on_submit():
        user = db.session.scalar(select(User).where(User.email == form.email.data))
        password_hash = (
            user.password_hash
            if user is not None
            else _no_one(current_app.config["PASSWORD_HASH_METHOD"])
        )
        if check_password_hash(password_hash, form.password.data) and user is not None:
            log_in(user)
            flash(_("Welcome back, %(name)s.", name=user.name), "success")
            return redirect(local_path(request.args.get("next")) or url_for(".index"), 303)
        form.password.errors.append(str(WRONG_PASSWORD))
    status = 400 if form.is_submitted() else 200
    return render_template("account/log_in.html", form=form), status


@bp.app_context_processor
def log_out_context() -> dict:
    """Every page's "Log out" button is a form of its own."""
    return {"log_out_form": EmptyForm}


@bp.post("/logout", endpoint="log_out")
def log_out_view():
    if EmptyForm().validate_on_submit():
        log_out()
        flash(_("You are logged out."), "info")
    return redirect(url_for("catalog.index"), 303)


# The account page ---------------------------------------------------------------------------


@bp.get("/")
@login_required
def index():
    form = DeliveryForm(data=current_user.delivery())
    return account_page(form)


@bp.post("/details")
@login_required
def save_details():
    """The delivery details checkout and one-click buying use."""
    form = DeliveryForm(formdata=request.form)
    if not form.validate_on_submit():
        return account_page(form), 400
    current_user.name = form.buyer_name.data.strip()
    current_user.phone = form.buyer_tel.data.strip()
    current_user.address = form.buyer_addr.data.strip()
    current_user.address_detail = (form.address_detail.data or "").strip() or None
    current_user.postcode = form.buyer_postcode.data.strip()
    current_user.recipient_name, current_user.recipient_tel = form.recipient()
    db.session.commit()
    flash(_("Your delivery details are saved."), "success")
    return redirect(url_for(".index"), 303)


def account_page(details: DeliveryForm) -> str:
    """The account page: delivery details, and the saved Kakao Pay with its buttons."""
    return render_template(
        "account/index.html",
        details=details,
        key=current_user.billing_key,
        replaced_keys=current_user.replaced_keys,
        window=window_params(current_user),
        sdk_url=current_app.config["PORTONE_SDK_URL"],
        imp_code=current_app.config["PORTONE_IMP_CODE"],
        button=EmptyForm(),
        subscriptions=subscriptions_of(current_user),
        status_labels=STATUS_LABELS,
    )


# My orders ----------------------------------------------------------------------------------


@bp.get("/orders")
@login_required
def orders():
    mine = db.session.scalars(
        select(Order)
        .where(
            Order.user_id == current_user.id,
            # A subscription's charges are listed with it, on the account page.
            Order.id.not_in(select(SubscriptionPeriod.order_id)),
        )
        .order_by(Order.id.desc())
    ).all()
    return render_template("account/orders.html", orders=mine, labels=STATUS_LABELS)


@bp.get("/orders/<int:order_id>")
@login_required
def order(order_id: int):
    """One of my orders, by its number in "My orders"; anyone else's is not found."""
    found = db.session.get(Order, order_id)
    if found is None or found.user_id != current_user.id:
        abort(404)
    return redirect(url_for("checkout.order", token=found.token))
