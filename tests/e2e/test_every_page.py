"""Every page of the shop (``tests/e2e/walk.py``), in each language: it fits a phone from 320 px
up without scrolling sideways, a bar fixed to the bottom of the screen hides none of it, and
axe-core finds nothing serious or critical on it.

The walk is made once, in every language side by side, and each check reads what it saw: a page
loads once per language."""

from dataclasses import dataclass

import pytest
from playwright.sync_api import Browser

from tests.accessibility import blocking_violations, load_axe_in, start_axe
from tests.e2e.walk import Stop, prepare, walk
from tests.language import BROWSER_LOCALES, LANGS

# The narrowest phone, an iPhone 13, a tablet; axe looks at the phone last.
WIDTHS = (320, 768, 390)
# How far the page is wider than the screen, and the innermost elements that stick out; then, at
# the very end of the page, how much of the footer's last line a bar fixed to the bottom of the
# screen (the product page's purchase bar on a phone) hides.
MEASURE = """() => {
  const all = [...document.body.querySelectorAll("*")];
  const over = document.documentElement.scrollWidth - window.innerWidth;
  const out = over <= 0 ? [] : all.filter(
    (e) => e.getBoundingClientRect().right > window.innerWidth + 0.5 && !e.children.length);
  window.scrollTo(0, document.documentElement.scrollHeight);
  const last = document.querySelector(".site-footer-inner > :last-child").getBoundingClientRect();
  const bars = all.filter((e) => getComputedStyle(e).position === "fixed")
    .map((e) => e.getBoundingClientRect())
    .filter((box) => box.height && box.bottom >= window.innerHeight - 1);
  const hidden = Math.max(0, ...bars.map((bar) => last.bottom - bar.top));
  window.scrollTo(0, 0);
  return [over, out.slice(0, 3).map((e) => e.outerHTML.slice(0, 120)), hidden];
}"""


@dataclass
class Seen:
    stop: Stop
    # By screen width: how many px too wide, by which elements, and how many px of the end hidden.
    measured: dict[int, list]
    violations: list[str]


@pytest.fixture(scope="module")
def shop_pages(shop_server):
    """The people and pages of the walk, made once for every language."""
    return prepare(shop_server.app, shop_server.url)


@pytest.fixture(scope="module")
def seen(browser: Browser, shop_server, shop_pages) -> dict[str, list[Seen]]:
    """Each page in each language: how far it overflows at each width, how much of it a bar
    fixed to the bottom hides, what axe finds on it."""
    contexts = [browser.new_context(locale=BROWSER_LOCALES[lang]) for lang in LANGS]
    for context in contexts:
        load_axe_in(context)
    found = {lang: [] for lang in LANGS}
    for stop, pages in walk(contexts, shop_server.url, *shop_pages):
        measured = {lang: {} for lang in LANGS}
        for width in WIDTHS:
            for lang, page in zip(LANGS, pages, strict=True):
                page.set_viewport_size({"width": width, "height": 800})
                measured[lang][width] = page.evaluate(MEASURE)
        for page in pages:
            start_axe(page)
        for lang, page in zip(LANGS, pages, strict=True):
            found[lang].append(Seen(stop, measured[lang], blocking_violations(page)))
    for context in contexts:
        context.close()
    return found


def test_every_page_fits_phones_and_tablets_without_scrolling_sideways(seen):
    too_wide = [
        f"{lang}: {page.stop.name} ({page.stop.path}) at {width} px: {over} px too wide, "
        f"by {culprits}"
        for lang, pages in seen.items()
        for page in pages
        for width, (over, culprits, _) in page.measured.items()
        if over > 0
    ]
    assert not too_wide, "\n".join(too_wide)


def test_no_page_ends_under_a_bar_fixed_to_the_bottom_of_the_screen(seen):
    hidden = [
        f"{lang}: {page.stop.name} ({page.stop.path}) at {width} px: {px} px of its end hidden"
        for lang, pages in seen.items()
        for page in pages
        for width, (_, _, px) in page.measured.items()
        if px > 0
    ]
    assert not hidden, "\n".join(hidden)


def test_every_page_has_no_serious_accessibility_violation(seen):
    found = [
        f"{lang}: {page.stop.name} ({page.stop.path}): {violation}"
        for lang, pages in seen.items()
        for page in pages
        for violation in page.violations
    ]
    assert not found, "\n".join(found)
