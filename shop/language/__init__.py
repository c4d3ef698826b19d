"""The shop's languages: Korean first, English by the buyer's choice.

Which one a request gets: the buyer's choice from the footer's switch (a cookie), else the
best of ``Accept-Language``, else Korean. Every string of the shop is an English msgid in the
message catalog (``shop/translations/``), translated by Flask-Babel's ``gettext``.
"""

from flask import Blueprint, Flask, Response, has_request_context, request
from flask_babel import get_locale

bp = Blueprint("language", __name__)

DEFAULT = "ko"
# The languages the shop speaks, each named in itself for the switch.
LANGUAGES = {"ko": "한국어", "en": "English"}
# The buyer's choice, kept a year: the session would lose it at log-in and log-out.
COOKIE = "lang"
COOKIE_MAX_AGE = 365 * 24 * 60 * 60


def N_(text: str) -> str:
    """Mark ``text`` for the catalog without translating it: text stored in English (a
    subscription's reason, say) and translated with ``gettext`` where it is shown."""
    return text


def select_locale() -> str | None:
    """Flask-Babel's locale selector: the buyer's choice, else the browser's, else Korean
    (``BABEL_DEFAULT_LOCALE``, also outside a request: a command, a test's app context)."""
    if not has_request_context():
        return None
    chosen = request.cookies.get(COOKIE)
    if chosen in LANGUAGES:
        return chosen
    return request.accept_languages.best_match(list(LANGUAGES), default=DEFAULT)


def vary_on_language(response: Response) -> Response:
    """Pages differ by ``Accept-Language``: a cache must not give one buyer's to another."""
    if response.mimetype == "text/html":
        response.vary.add("Accept-Language")
    return response


@bp.app_context_processor
def language_context() -> dict:
    """``<html lang>`` and the footer's switch on every page."""
    return {
        "current_language": get_locale().language,
        "languages": LANGUAGES,
        "language_form": language_form,
    }


def language_form():
    """The switch, set to bring the buyer back to this page (after a GET; else the catalog)."""
    from shop.language.forms import LanguageForm

    back = request.full_path.rstrip("?") if request.method == "GET" else None
    return LanguageForm(formdata=None, next=back)


def register(app: Flask) -> None:
    """Flask-Babel on ``app``, with the selector above; the switch's route."""
    from shop.extensions import babel

    babel.init_app(app, locale_selector=select_locale)
    # {% trans %} blocks wrap like the prose around them; the msgid is one line either way.
    app.jinja_env.policies["ext.i18n.trimmed"] = True
    app.after_request(vary_on_language)
    app.register_blueprint(bp)


from shop.language import routes  # noqa: E402, F401
