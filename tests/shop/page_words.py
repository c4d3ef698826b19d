"""The words a page shows, to check that a Korean page has no English left.

A page's words are its text and the attributes a buyer reads or hears (``alt``, ``title``,
``aria-label``, ``placeholder``, ``data-label``, a button's ``value``, its ``<title>`` and the
link preview's meta tags), outside ``<script>``, ``<style>`` and ``<code>`` and outside
anything marked ``translate="no"`` (names, order numbers: the same in every language).
"""

import re
from html.parser import HTMLParser

SKIPPED_TAGS = {"script", "style", "code", "template"}
VOID_TAGS = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source"}
READ_ATTRIBUTES = {"alt", "title", "aria-label", "placeholder", "data-label"}
PREVIEW_META = {"description", "og:title", "og:description", "twitter:title"}
# What is not a word of a language: e-mail addresses, URLs, anything with a digit or an
# underscore in it (order numbers, imp_uid), and file names.
NOT_WORDS = re.compile(r"\S+@\S+|https?://\S+|\S*[\d_]\S*|\S+\.(?:svg|png|jpg|css|js)\b")
LATIN_WORD = re.compile(r"[A-Za-z]{2,}")


class _PageWords(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.open: list[tuple[str, bool]] = []
        self.texts: list[str] = []

    def _skipping(self) -> bool:
        return bool(self.open) and self.open[-1][1]

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        skip = self._skipping() or tag in SKIPPED_TAGS or attrs.get("translate") == "no"
        if not skip:
            self.texts += [value for name, value in attrs.items() if name in READ_ATTRIBUTES]
            if tag == "meta" and (attrs.get("name") or attrs.get("property")) in PREVIEW_META:
                self.texts.append(attrs.get("content") or "")
            if tag == "input" and attrs.get("type") in ("submit", "button"):
                self.texts.append(attrs.get("value") or "")
        if tag not in VOID_TAGS:
            self.open.append((tag, skip))

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID_TAGS:
            self.open.pop()

    def handle_endtag(self, tag):
        for depth in range(len(self.open) - 1, -1, -1):
            if self.open[depth][0] == tag:
                del self.open[depth:]
                return

    def handle_data(self, data):
        if not self._skipping():
            self.texts.append(data)


def page_words(html: str) -> list[str]:
    """The texts of ``html`` a buyer reads or hears, one per text node or attribute."""
    parser = _PageWords()
    parser.feed(html)
    parser.close()
    return [text for text in (" ".join(t.split()) for t in parser.texts) if text]


def latin_words(html: str, allowed: set[str]) -> list[str]:
    """Every text of the page holding a Latin-script word that ``allowed`` does not name."""
    found = []
    for text in page_words(html):
        words = set(LATIN_WORD.findall(NOT_WORDS.sub(" ", text)))
        if words - allowed:
            found.append(text)
    return found
