"""Korean renders in the shop's own font (static/fonts/), not in boxes or the machine's font."""

import pytest
from playwright.sync_api import Page, expect

FONT = "Soso Sans KR"


def rendering_fonts(page: Page, selector: str) -> dict[str, int]:
    """The fonts Chromium drew ``selector``'s text with, and how many glyphs each drew."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("DOM.enable")
    cdp.send("CSS.enable")
    root = cdp.send("DOM.getDocument")["root"]["nodeId"]
    node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
    fonts = cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]
    cdp.detach()
    return {font["familyName"]: font["glyphCount"] for font in fonts}


# A Korean buyer's pages: the headings are Korean words.
@pytest.mark.parametrize("lang", ["ko"])
def test_catalog_and_product_page_draw_korean_in_the_bundled_font(shop, page: Page, lang):
    page.goto(shop.url + "/")
    expect(page.get_by_role("heading", name="소소한 일상의 좋은 물건")).to_be_visible()
    page.evaluate("document.fonts.ready.then(() => null)")
    assert rendering_fonts(page, "h1") == {FONT: len("소소한 일상의 좋은 물건")}

    page.get_by_role("link", name="제주 유기농 녹차").first.click()
    expect(page.get_by_role("heading", name="제주 유기농 녹차")).to_be_visible()
    page.evaluate("document.fonts.ready.then(() => null)")
    assert rendering_fonts(page, "h1") == {FONT: len("제주 유기농 녹차")}
