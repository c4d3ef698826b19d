"""Starting and ending a signed-in session.

The session is a signed cookie. Log-in starts it afresh (nothing a visitor or an attacker put
in it before survives, the CSRF token included) except what the guest was doing: the cart, a
"buy now" in progress, and the orders this browser placed.
"""

from flask import session
from flask_login import login_user, logout_user

from shop.models import User

KEPT_AT_LOG_IN = ("cart", "buy_now", "checkout", "placed")


def log_in(user: User) -> None:
    kept = {name: session[name] for name in KEPT_AT_LOG_IN if name in session}
    session.clear()
    session.update(kept)
    login_user(user)


def log_out() -> None:
    logout_user()
    session.clear()
