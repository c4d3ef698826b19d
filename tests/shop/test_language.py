"""Korean first, English by choice: which language a page is in, the footer's switch, and the
message catalogs (complete, compiled, covering every string of the source)."""

import io
import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po

from tests.language import TRANSLATIONS, t
from tests.shop.actions import ELSEWHERE

ROOT = Path(__file__).resolve().parents[2]
PO = TRANSLATIONS / "ko" / "LC_MESSAGES" / "messages.po"
MO = PO.with_suffix(".mo")
HTML_LANG = re.compile(r'<html lang="(\w+)">')
# Babel's keywords plus the shop's lazy ones, as `make translations` extracts them.
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "lazy_gettext": None, "_l": None}


@pytest.fixture
def visitor(app):
    """A browser that sends no ``Accept-Language`` at all."""
    client = app.test_client()
    del client.environ_base["HTTP_ACCEPT_LANGUAGE"]
    return client


def language_of(response) -> str:
    return HTML_LANG.search(response.get_data(as_text=True)).group(1)


def csrf_token(client, path: str = "/") -> str:
    """The page's CSRF token; empty before the visitor has a session (none is shown)."""
    page = client.get(path).get_data(as_text=True)
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
    return match.group(1) if match else ""


def switch(client, lang: str, back: str):
    """Press a language in the footer of the page at ``back``."""
    token = csrf_token(client, back)
    return client.post("/language", data={"lang": lang, "next": back, "csrf_token": token})


def test_korean_is_the_default(visitor):
    response = visitor.get("/cart/")
    assert language_of(response) == "ko"
    assert t("Your cart is empty.", "ko") in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("accept_language", "lang"),
    [
        ("en", "en"),
        ("en-US,en;q=0.9", "en"),
        ("fr-FR,fr;q=0.9,en;q=0.5", "en"),
        ("ko-KR,ko;q=0.9,en-US;q=0.8,en;q=0.7", "ko"),
        ("fr-FR", "ko"),
        ("*", "ko"),
    ],
)
def test_accept_language_chooses_when_the_buyer_has_not(visitor, accept_language, lang):
    response = visitor.get("/cart/", headers={"Accept-Language": accept_language})
    assert language_of(response) == lang
    assert t("Your cart is empty.", lang) in response.get_data(as_text=True)
    assert "Accept-Language" in response.headers["Vary"]


def test_the_footer_switch_overrides_accept_language_and_is_remembered(visitor):
    korean = {"Accept-Language": "ko-KR,ko"}
    visitor.environ_base["HTTP_ACCEPT_LANGUAGE"] = korean["Accept-Language"]
    assert language_of(visitor.get("/cart/")) == "ko"

    response = switch(visitor, "en", "/cart/?from=footer")
    assert response.status_code == 303
    assert response.headers["Location"] == "/cart/?from=footer"
    for path in ("/cart/", "/", "/account/login"):
        assert language_of(visitor.get(path)) == "en", path

    switch(visitor, "ko", "/cart/")
    assert language_of(visitor.get("/cart/", headers={"Accept-Language": "en"})) == "ko"


def test_the_switch_is_a_form_on_every_page_naming_each_language_in_itself(client):
    page = client.get("/cart/").get_data(as_text=True)
    switch_form = re.search(r'<form class="language-switch".*?</form>', page, re.S).group(0)
    assert 'action="/language"' in switch_form
    assert '<input name="next" type="hidden" value="/cart/">' in switch_form
    assert re.search(r'<button [^>]*value="ko" lang="ko"[^>]*>한국어</button>', switch_form)
    assert re.search(r'<button [^>]*value="en" lang="en"[^>]*aria-current="true"', switch_form)


@pytest.mark.parametrize("back", ["https://evil.example/", "//evil.example/", "", "/\\evil"])
def test_the_switch_goes_back_only_to_a_page_of_the_shop(client, back):
    data = {"lang": "ko", "next": back, "csrf_token": csrf_token(client)}
    response = client.post("/language", data=data)
    assert response.status_code == 303
    assert response.headers["Location"] == "/"


@pytest.mark.parametrize("lang", ["", "fr", "ko-KR", "x" * 1000])
def test_the_switch_refuses_a_language_the_shop_does_not_speak(client, lang):
    data = {"lang": lang, "next": "/", "csrf_token": csrf_token(client)}
    response = client.post("/language", data=data)
    assert response.status_code == 400
    assert "Set-Cookie" not in response.headers or "lang=" not in response.headers["Set-Cookie"]
    assert language_of(client.get("/")) == "en"


def test_a_forged_switch_is_refused(client):
    response = client.post("/language", data={"lang": "ko", "next": "/"}, headers=ELSEWHERE)
    assert response.status_code == 400
    assert language_of(client.get("/")) == "en"


def test_a_language_cookie_the_shop_did_not_write_is_ignored(visitor):
    visitor.set_cookie("lang", "fr")
    assert language_of(visitor.get("/", headers={"Accept-Language": "en"})) == "en"
    assert language_of(visitor.get("/")) == "ko"


def test_json_errors_are_in_the_buyers_language(visitor):
    for lang in ("ko", "en"):
        response = visitor.get(
            "/no-such-page", headers={"Accept": "application/json", "Accept-Language": lang}
        )
        assert response.status_code == 404
        assert response.json == {
            "error": t("We couldn't find the page you were looking for.", lang)
        }


# The catalogs --------------------------------------------------------------------------------


def korean_catalog():
    with PO.open("rb") as po:
        return read_po(po, locale="ko")


def test_every_korean_entry_is_translated_and_none_is_fuzzy():
    untranslated = [
        message.id
        for message in korean_catalog()
        if message.id and (message.fuzzy or not all(_strings(message)))
    ]
    assert untranslated == []


def test_every_translation_keeps_its_placeholders():
    catalog = korean_catalog()
    problems = [(message.id, errors) for message, errors in catalog.check() if errors]
    assert problems == []
    for message in catalog:
        if message.id:
            msgid = message.id[0] if isinstance(message.id, tuple) else message.id
            for string in _strings(message):
                assert _placeholders(string) == _placeholders(msgid), message.id


def test_the_compiled_catalog_is_the_po_file():
    """``make translations`` compiles the .po it updates; a .po edited by hand needs it too."""
    compiled = io.BytesIO()
    write_mo(compiled, korean_catalog())
    compiled.seek(0)
    with MO.open("rb") as mo:
        assert _messages(read_mo(mo)) == _messages(read_mo(compiled))


def test_the_catalog_has_every_string_of_the_source():
    """A string wrapped in the code or a template but missing from the catalog would show in
    English on a Korean page: run ``make translations`` and translate what it adds."""
    with (ROOT / "babel.cfg").open() as config:
        method_map, options_map = parse_mapping_cfg(config)
    source = {
        (message[0] if isinstance(message, tuple) else message)
        for _filename, _lineno, message, _comments, _context in extract_from_dir(
            str(ROOT), method_map, options_map, keywords=KEYWORDS
        )
    }
    in_catalog = {
        message.id[0] if isinstance(message.id, tuple) else message.id
        for message in korean_catalog()
        if message.id
    }
    assert sorted(source - in_catalog) == []


def _strings(message) -> list[str]:
    return list(message.string) if isinstance(message.string, tuple) else [message.string]


def _placeholders(text: str) -> set[str]:
    return set(re.findall(r"%\((\w+)\)", text))


def _messages(catalog) -> dict:
    """msgid → translation; a plural's forms as tuples (read_mo gives lists)."""

    def key(value):
        return tuple(value) if isinstance(value, list | tuple) else value

    return {key(message.id): key(message.string) for message in catalog if message.id}
