"""A guest finds an order again by its order number and the e-mail it was placed with.

The order's page needs its unguessable token; the order number alone is printed on pages and
receipts, so it is asked for with the e-mail, a miss says nothing about which was wrong, and
misses are limited per address (``ORDER_LOOKUP_FAILURES_PER_ADDRESS``).
"""

from flask import current_app, redirect, render_template, url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from wtforms import EmailField, StringField
from wtforms.validators import DataRequired, Email, Length

from shop.checkout import bp
from shop.checkout.placed import remember
from shop.extensions import db, limiter
from shop.forms import Form
from shop.models import Order

NOT_FOUND = _l("No order matches that order number and email. Check both and try again.")
TOO_MANY = _l("Too many orders not found. Please wait a few minutes and try again.")


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class FindOrderForm(Form):
    merchant_uid = StringField(
        _l("Order number"),
        validators=[DataRequired(_l("Enter your order number.")), Length(max=40)],
        filters=[_strip],
    )
    email = EmailField(
        _l("Email"),
        validators=[
            DataRequired(_l("Enter the email address you ordered with.")),
            Email(_l("Enter a valid email address."), check_deliverability=False),
            Length(max=120),
        ],
        filters=[_strip],
    )


def _not_found(response) -> bool:
    """Only a lookup that found nothing counts towards the limit; a found order redirects."""
    return response.status_code != 303


@bp.route("/orders/find", methods=["GET", "POST"])
@limiter.limit(
    lambda: current_app.config["ORDER_LOOKUP_FAILURES_PER_ADDRESS"],
    methods=["POST"],
    deduct_when=_not_found,
    error_message=TOO_MANY,
)
def find_order():
    """Order number and e-mail → the order's page, in this browser from now on."""
    form = FindOrderForm()
    if form.validate_on_submit():
        order = db.session.scalar(
            select(Order).where(
                Order.merchant_uid == form.merchant_uid.data,
                func.lower(Order.buyer_email) == form.email.data.lower(),
            )
        )
        if order is not None:
            remember(order)
            return redirect(url_for("checkout.order", token=order.token), 303)
        return render_template("checkout/find_order.html", form=form, not_found=str(NOT_FOUND)), 404
    status = 400 if form.is_submitted() else 200
    return render_template("checkout/find_order.html", form=form), status
