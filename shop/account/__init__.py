"""Accounts: sign-up, log-in and log-out, saved delivery details, "My orders", the saved Kakao
Pay (a PortOne billing key) and the product page's two ways to buy at once with it."""

from flask import Blueprint, flash, jsonify, redirect, request, url_for
from flask_babel import lazy_gettext as _l

from shop.errors import wants_json
from shop.extensions import db, login_manager
from shop.models import User

bp = Blueprint("account", __name__, url_prefix="/account")

LOG_IN_FIRST = _l("Please log in to continue.")


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    # The id comes from the signed session cookie, which only this shop writes.
    return db.session.get(User, int(user_id))


@login_manager.unauthorized_handler
def unauthorized():
    """Pages send the visitor to log in (and back, after a GET); a script gets a 401."""
    if wants_json():
        return jsonify(error=str(LOG_IN_FIRST)), 401
    flash(str(LOG_IN_FIRST), "info")
    back = request.full_path.rstrip("?") if request.method == "GET" else None
    return redirect(url_for("account.log_in", next=back), 303)


from shop.account import billing_routes, buy_routes, routes  # noqa: E402, F401
