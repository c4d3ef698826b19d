"""The shop's languages in the tests.

The suite finds pages' parts by their English names ("Add to cart", "Pay with Kakao Pay"…), so
test clients and browsers ask for English unless a test asks for Korean. ``t(text, lang)`` gives
the words a page shows in ``lang``: the English msgid itself, or its translation in the shop's
own Korean catalog. A msgid the catalog lacks fails the test at once, so a Korean run proves
the Korean page is complete where the test looks.
"""

from babel.messages.mofile import read_mo
from flask.testing import FlaskClient

from shop import HERE
from shop.format import kst
from shop.language import LANGUAGES

TRANSLATIONS = HERE / "translations"
LANGS = list(LANGUAGES)
# What a browser of each language sends (Playwright's locale; Accept-Language follows it).
BROWSER_LOCALES = {"en": "en-US", "ko": "ko-KR"}


class EnglishClient(FlaskClient):
    """Flask's test client, as a browser that asks for English (``Accept-Language: en``); a
    request's own ``Accept-Language`` header, or the language cookie, still wins. Like a
    browser, it names the page's origin (the test client's own) in every request: a POST from
    a visitor whose pages carried no CSRF token yet is checked by it (shop/csrf.py)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.environ_base.setdefault("HTTP_ACCEPT_LANGUAGE", "en")
        self.environ_base.setdefault("HTTP_ORIGIN", "http://localhost")


def catalog(lang: str) -> dict[str, str]:
    """The compiled catalog the shop reads for ``lang`` (its ``.mo``): msgid → translation."""
    with (TRANSLATIONS / lang / "LC_MESSAGES" / "messages.mo").open("rb") as mo:
        return {m.id: m.string for m in read_mo(mo) if m.id and isinstance(m.id, str)}


_CATALOGS: dict[str, dict[str, str]] = {}


def t(text: str, lang: str, **values) -> str:
    """``text`` (an English msgid) as the shop shows it in ``lang``, with ``values`` filled in."""
    if lang != "en":
        messages = _CATALOGS.setdefault(lang, catalog(lang))
        if text not in messages:
            raise LookupError(f"no {lang} translation of {text!r} in {TRANSLATIONS}")
        text = messages[text]
    return text % values if values else text


def kst_in(app, moment, **options) -> str:
    """``moment`` as the shop's pages show it: the ``kst`` filter, which reads the app's
    time zone (``BABEL_DEFAULT_TIMEZONE``)."""
    with app.app_context():
        return kst(moment, **options)
