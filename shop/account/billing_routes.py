"""The account page's "Saved Kakao Pay": save or replace it in Kakao Pay's window, remove it.

PortOne is asked at each step:
- completion (PC callback POST, phone redirect GET): ``GET /subscribe/customers/{customer_uid}``
  for the account's ``next_customer_uid``, then ``DELETE`` of the key it replaces;
- removal: ``DELETE /subscribe/customers/{customer_uid}``.
What the browser sends on completion is not read: the server asks PortOne.
"""

from flask import flash, jsonify, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from shop.account import bp
from shop.account.billing import adopt_key, remove_key, revoke_replaced
from shop.forms import EmptyForm
from shop.portone import PortOneError
from shop.subscriptions.lifecycle import follow_key, key_removed, renewing

SAVED = _l("Kakao Pay is saved. You can now buy with one click.")
REPLACED = _l("Your saved Kakao Pay was replaced.")
NOT_SAVED = _l("Kakao Pay did not save a payment method, so nothing changed.")
UNCHANGED = _l("Your saved Kakao Pay is unchanged.")
UNREACHABLE = _l("Kakao Pay could not be reached to confirm. Please try again in a moment.")
OLD_KEY_LEFT = _l(
    "Your previous Kakao Pay is still registered with Kakao Pay; remove it below "
    "when Kakao Pay can be reached."
)


@bp.post("/kakao-pay/complete")
@login_required
def kakao_pay_saved():
    """PC: the window's callback reports back. Its body is not read; PortOne is asked."""
    saved = _adopt()
    return jsonify(saved=saved, redirect=url_for(".index"))


@bp.get("/kakao-pay/complete")
@login_required
def kakao_pay_saved_mobile():
    """Phone: Kakao Pay's redirect. Its query string (``imp_success`` included) is not read."""
    _adopt()
    return redirect(url_for(".index"), 303)


@bp.route("/kakao-pay/remove", methods=["GET", "POST"])
@login_required
def remove_kakao_pay():
    """Asks first (GET), then deletes the key at PortOne and here (POST)."""
    key = current_user.billing_key
    if key is None:
        flash(_("You have no saved Kakao Pay."), "info")
        return redirect(url_for(".index"), 303)
    form = EmptyForm()
    if not form.validate_on_submit():
        return render_template(
            "account/remove_kakao_pay.html",
            key=key,
            form=form,
            subscriptions=renewing(current_user),
        )
    try:
        remove_key(key)
    except PortOneError:
        flash(_("Kakao Pay could not be reached, so your saved Kakao Pay is still there."), "error")
        return redirect(url_for(".index"), 303)
    # Nothing can charge the subscriptions any more: they end with what is paid.
    key_removed(current_user)
    flash(_("Your saved Kakao Pay was removed."), "success")
    return redirect(url_for(".index"), 303)


@bp.post("/kakao-pay/previous/remove")
@login_required
def remove_previous_kakao_pay():
    """Try again to delete at PortOne the keys a replacement could not delete."""
    if revoke_replaced(current_user):
        flash(_("Your previous Kakao Pay was removed."), "success")
    else:
        flash(str(OLD_KEY_LEFT), "error")
    return redirect(url_for(".index"), 303)


def _adopt() -> bool:
    """Ask PortOne for the key the window registered, keep it, and say what happened."""
    had_key = current_user.billing_key is not None
    try:
        key = adopt_key(current_user)
    except PortOneError:
        flash(str(UNREACHABLE), "error")
        return False
    if key is None:
        flash(str(UNCHANGED if had_key else NOT_SAVED), "info" if had_key else "error")
        return False
    flash(str(REPLACED if had_key else SAVED), "success")
    if current_user.replaced_keys:
        flash(str(OLD_KEY_LEFT), "error")
    # The subscriptions are charged to the new key from now on (a past-due one at once).
    follow_key(current_user)
    return True
