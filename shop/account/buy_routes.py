"""The product page's ways to buy at once for a signed-in buyer whose details the shop has:
"Buy now with saved Kakao Pay" (one click, no window) and "Buy now with Kakao Pay" (the window
opens on the product page). Everyone else buys through the checkout, as before."""

from flask import (
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from shop import limits
from shop.account import bp
from shop.account.forms import OneClickForm, PurchaseForm
from shop.account.one_click import buy_with_saved_key, issue_purchase_key, merchant_uid_of
from shop.cart import CartLine
from shop.cart.forms import QuantityForm
from shop.catalog.pages import product_page
from shop.checkout.orders import OrderError, place_order
from shop.checkout.payment_request import request_pay_params
from shop.checkout.placed import remember

STALE_PAGE = _l("This page was open too long. Please check the product and buy again.")
DETAILS_FIRST = _l("Save your delivery details first; then you can buy in one step.")
KEY_FIRST = _l("Save Kakao Pay on your account page first.")


@bp.app_context_processor
def purchase_context() -> dict:
    return {"purchase_options": purchase_options}


def purchase_options() -> dict | None:
    """What the product page offers the current visitor beyond the checkout: None for a guest
    or an account without delivery details."""
    if not current_user.is_authenticated or not current_user.has_delivery_details():
        return None
    key = current_user.billing_key
    return {
        "key": key,
        "purchase_key": issue_purchase_key(current_user) if key is not None else None,
        "sdk_url": current_app.config["PORTONE_SDK_URL"],
        "imp_code": current_app.config["PORTONE_IMP_CODE"],
    }


@bp.post("/buy/saved-kakao-pay")
@login_required
@limits.orders
def buy_with_saved_kakao_pay():
    """ "Buy now with saved Kakao Pay": price the order, charge the key once, show the result."""
    form = OneClickForm()
    if not form.validate_on_submit():
        return _purchase_refused(form)
    key = current_user.billing_key
    if key is None or not current_user.has_delivery_details():
        flash(str(KEY_FIRST if key is None else DETAILS_FIRST), "error")
        return redirect(url_for(".index"), 303)
    merchant_uid = merchant_uid_of(form.purchase_key.data, current_user)
    if merchant_uid is None:
        flash(str(STALE_PAGE), "error")
        return redirect(url_for("catalog.detail", slug=form.product.slug), 303)
    try:
        order, refusal = buy_with_saved_key(
            current_user, key, form.product, form.quantity.data, merchant_uid
        )
    except OrderError as exc:
        flash(str(exc), "error")
        return redirect(url_for("catalog.detail", slug=form.product.slug), 303)
    if order.user_id != current_user.id:
        abort(404)
    remember(order)
    if refusal is not None:
        flash(
            _(
                "Your saved Kakao Pay was not charged (%(refusal)s). "
                "Nothing was charged; you can pay in the Kakao Pay window instead.",
                refusal=refusal,
            ),
            "error",
        )
        return redirect(url_for("checkout.pay", token=order.token), 303)
    return redirect(url_for("checkout.order", token=order.token), 303)


@bp.post("/buy/kakao-pay")
@login_required
@limits.orders
def buy_in_window():
    """ "Buy now with Kakao Pay" on the product page: the order, and the window's parameters.

    The page's script opens the window with them; the payment comes back through the
    checkout's doors (callback, phone redirect, webhook) like every other.
    """
    form = PurchaseForm()
    if not form.validate_on_submit():
        errors = [error for field in form for error in field.errors]
        return jsonify(error=str(errors[0] if errors else STALE_PAGE)), 400
    if not current_user.has_delivery_details():
        return jsonify(error=str(DETAILS_FIRST)), 409
    product, quantity = form.product, form.quantity.data
    try:
        order = place_order(
            [CartLine(product=product, quantity=quantity)],
            current_user.buyer(),
            user_id=current_user.id,
        )
    except OrderError as exc:
        return jsonify(error=str(exc)), 409
    remember(order)
    # Its paid page then forgets this checkout, leaving the cart as it is.
    session["checkout"] = {"order": order.token, "source": "buy_now"}
    return jsonify(
        params=request_pay_params(order), order_url=url_for("checkout.order", token=order.token)
    )


def _purchase_refused(form: PurchaseForm):
    """A purchase form that cannot be used: its error where the product page shows it."""
    if form.product is None:
        flash(str(form.product_id.errors[0] if form.product_id.errors else STALE_PAGE), "error")
        return redirect(url_for("catalog.index"), 303)
    if form.quantity.errors:
        # The product page's own form, with the error where its other buttons show it.
        page_form = QuantityForm()
        page_form.validate()
        return product_page(form.product, page_form), 400
    flash(str(STALE_PAGE), "error")
    return redirect(url_for("catalog.detail", slug=form.product.slug), 303)
