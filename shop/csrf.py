"""CSRF protection that lets reading the shop start no session.

Flask-WTF keeps each visitor's token in the session, so a page that carries one starts a
session (a cookie, and a session to load on every later request). A first visit reads pages
without a token instead (``shop.forms.Form`` leaves it out while the session is empty), and
a POST that brings no token is checked by where it comes from: browsers name the page's
origin in the ``Origin`` header of every POST, and a page on another site cannot set it.
A POST that brings a token must bring the session's own, as before; one that brings neither
a token nor our origin is refused.
"""

from urllib.parse import urlsplit

from flask import current_app, g, request
from flask_wtf.csrf import CSRFProtect as FlaskCSRFProtect


class CSRFProtect(FlaskCSRFProtect):
    """Flask-WTF's ``CSRFProtect``, taking a same-origin POST without a token."""

    def protect(self, apply_exemptions=False):
        if apply_exemptions and (not request.endpoint or self._is_exempt()):
            return
        if request.method not in current_app.config["WTF_CSRF_METHODS"]:
            return
        if self._get_csrf_token() is None:
            if not from_this_shop():
                self._error_response("The request has no CSRF token and is not from this shop.")
            g.csrf_valid = True
            return
        super().protect(apply_exemptions=False)


def from_this_shop() -> bool:
    """Whether the request's ``Origin`` (else, from browsers that send none, its ``Referer``)
    is the shop: the address the request came to, or ``PUBLIC_BASE_URL``."""
    sent = request.headers.get("Origin") or request.referrer
    if not sent or sent == "null":
        return False
    ours = {_origin(request.host_url), _origin(current_app.config["PUBLIC_BASE_URL"] or "")}
    return _origin(sent) in ours - {None}


def _origin(url: str) -> tuple | None:
    try:
        parts = urlsplit(url)
        port = parts.port or {"http": 80, "https": 443}.get(parts.scheme)
    except ValueError:
        return None
    if not parts.scheme or not parts.hostname:
        return None
    return (parts.scheme, parts.hostname, port)
