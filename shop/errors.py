"""Error pages: a friendly HTML page for people, ``{"error": "..."}`` for clients that want JSON;
and the check every request passes first, so input the database cannot hold is a 400, not a 500."""

from collections.abc import Iterator

from flask import Flask, abort, current_app, jsonify, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from shop.extensions import db

CSRF_MESSAGE = _l("Your session expired or the form was tampered with; please try again.")
NUL_MESSAGE = _l("Something in that request contains a character we can't accept (U+0000).")
DEEP_JSON_MESSAGE = _l("That JSON body is nested too deeply to read.")

# (title, message) shown for each status unless the view gave its own description.
PAGES = {
    400: (
        _l("Bad request"),
        _l("Something in that request didn't make sense to us. Please go back and try again."),
    ),
    403: (_l("Not allowed"), _l("You don't have permission to open this page.")),
    404: (_l("Page not found"), _l("We couldn't find the page you were looking for.")),
    405: (
        _l("Not allowed here"),
        _l("This page can't be used that way. Please go back and try again."),
    ),
    413: (_l("Too large"), _l("What you sent is larger than this shop accepts.")),
    429: (_l("Too many tries"), _l("Too many tries in a short time. Please wait and try again.")),
    500: (
        _l("Something went wrong"),
        _l(
            "An error on our side stopped this page. We've logged it; please try again in a moment."
        ),
    ),
}

# Shown if even the error page can't be rendered (say, a broken template): no traceback, ever.
# In both languages, since the failure may be in choosing one.
BARE_500 = (
    '<!doctype html><html lang="ko"><meta charset=utf-8><title>오류가 발생했습니다</title>'
    "<h1>오류가 발생했습니다</h1><p>잠시 후 다시 시도해 주세요.</p>"
    '<h1 lang="en">Something went wrong</h1><p lang="en">Please try again in a moment.</p>'
)


def wants_json() -> bool:
    """Whether the client asked for JSON rather than a page."""
    return request.is_json or request.accept_mimetypes.best == "application/json"


def error_response(code: int, message: str, title: str | None = None, headers=None):
    """The response for an error: JSON for API clients, otherwise the error page."""
    headers = headers or {}
    # Lazy translations become text here, in the request's language, and are escaped as text.
    message = str(message)
    if wants_json():
        return jsonify(error=message), code, headers
    title = str(title or PAGES.get(code, (_("Error"), ""))[0])
    page = render_template("errors/error.html", code=code, title=title, message=message)
    return page, code, headers


def handle_http_error(error: HTTPException):
    """Any HTTP error a view raised or Werkzeug produced (400, 403, 404, 405, 413, ...)."""
    title, message = PAGES.get(error.code, (error.name, error.description))
    # abort(404, description="...") carries a reason worth showing instead of the stock text.
    if error.description and error.description != type(error).description:
        message = error.description
    # Keep the Allow header a 405 must carry.
    headers = {key: value for key, value in error.get_headers() if key == "Allow"}
    return error_response(error.code, message, title, headers)


def handle_csrf_error(error: CSRFError):
    """A form post without a valid CSRF token."""
    current_app.logger.warning("CSRF check failed on %s: %s", request.path, error.description)
    return error_response(400, CSRF_MESSAGE, _("Please try again"))


def handle_server_error(error: InternalServerError):
    """Anything unexpected: log it and show a calm page instead of a traceback."""
    if error.original_exception is None:
        # Flask has already logged the traceback of an unhandled exception; abort(500) has none.
        current_app.logger.error("500 on %s %s", request.method, request.path)
    title, message = PAGES[500]
    try:
        # The failed request may have left a transaction half done; don't let it leak.
        db.session.rollback()
        return error_response(500, message, title)
    except Exception:
        current_app.logger.exception("The error page itself failed on %s", request.path)
        return BARE_500, 500, {"Content-Type": "text/html; charset=utf-8"}


def refuse_unreadable_input() -> None:
    """Refuse U+0000 anywhere in the path, query, form or JSON body (PostgreSQL cannot store it,
    and no field of this shop needs it), and JSON nested past what the parser can follow."""
    try:
        has_nul = any("\x00" in text for text in _texts())
    except RecursionError:
        abort(400, description=DEEP_JSON_MESSAGE)
    if has_nul:
        abort(400, description=NUL_MESSAGE)


def _texts() -> Iterator[str]:
    yield request.path
    for source in (request.args, request.form):
        for name, values in source.lists():
            yield name
            yield from values
    if not request.is_json:
        return
    # Walked with a stack, not recursion: a body nested nearly as deep as the parser allows
    # would overflow a recursive walk.
    pending = [request.get_json(silent=True)]
    while pending:
        value = pending.pop()
        if isinstance(value, str):
            yield value
        elif isinstance(value, dict):
            yield from value.keys()
            pending.extend(value.values())
        elif isinstance(value, list):
            pending.extend(value)


def register(app: Flask) -> None:
    """Install the check and the handlers above on ``app``."""
    app.before_request(refuse_unreadable_input)
    app.register_error_handler(CSRFError, handle_csrf_error)
    app.register_error_handler(InternalServerError, handle_server_error)
    app.register_error_handler(HTTPException, handle_http_error)
