"""The admin's pages: every order, its verification timeline, and refunds through PortOne.

Every route of the blueprint needs an admin: an anonymous visitor is sent to log in, any
other account gets a 403. ``flask --app shop create-admin EMAIL`` makes an admin.
"""

from flask import Blueprint, abort
from flask_login import current_user

from shop.extensions import login_manager

# cli_group=None: the blueprint's commands are top-level (`flask --app shop create-admin`).
bp = Blueprint("admin", __name__, url_prefix="/admin", cli_group=None)


@bp.before_request
def admins_only():
    """The one gate of every admin route, so a new route cannot forget it."""
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    if not current_user.is_admin:
        abort(403)
    return None


from shop.admin import commands, routes  # noqa: E402, F401
