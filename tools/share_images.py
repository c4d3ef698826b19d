"""The pictures a shared link and a browser tab show, drawn by Chromium from the shop's SVGs.

Link previews (KakaoTalk, social sites) cannot draw SVG, and old browsers want a favicon.ico, so
this writes, under static/:

- img/products/<name>.jpg beside each product's <name>.svg (a product page's og:image);
- img/share/soso-market.jpg, the shop's card for every other page (1200 × 630);
- favicon.ico (16, 32 and 48 px) and apple-touch-icon.png (180 px), from img/logo.svg.

Run it again after changing those SVGs: ``make share-images``.
"""

import struct
import sys
import tempfile
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.browser import CHROMIUM_ARGS, system_chromium  # noqa: E402

STATIC = ROOT / "static"
LOGO = STATIC / "img" / "logo.svg"
FONT = STATIC / "fonts" / "SosoSansKR.woff2"
ICONS = (16, 32, 48, 180)

CARD = f"""<!doctype html><meta charset="utf-8"><style>
@font-face {{ font-family: Soso; src: url("{FONT.as_uri()}"); font-weight: 400 800; }}
body {{ margin: 0; width: 1200px; height: 630px; display: flex; align-items: center;
  gap: 56px; padding: 0 96px; box-sizing: border-box; font-family: Soso, sans-serif;
  color: #1f1d1a; background:
    radial-gradient(circle at 88% 18%, rgb(254 229 0 / 55%) 0 150px, transparent 151px),
    radial-gradient(circle at 100% 100%, rgb(47 107 79 / 20%) 0 260px, transparent 261px),
    linear-gradient(135deg, #f4efe6, #ebe3d5); }}
img {{ width: 200px; height: 200px; }}
h1 {{ margin: 0; font-size: 88px; font-weight: 800; letter-spacing: -0.02em; }}
p {{ margin: 12px 0 0; font-size: 36px; font-weight: 600; color: #4a453e; }}
.en {{ color: #6f675c; font-size: 44px; font-weight: 700; }}
</style><img src="{LOGO.as_uri()}" alt=""><div>
<h1>소소상점 <span class="en">Soso Market</span></h1>
<p>작은 일상을 위한 좋은 물건 · 카카오페이로 간편하게</p></div>"""


def draw(page: Page, html: str, width: int, height: int, photo: bool = False) -> bytes:
    """``html`` drawn on a ``width`` × ``height`` page, as PNG, or as JPEG for a ``photo``
    (opened from a file, so that it can use the shop's files)."""
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder, "draw.html")
        source.write_text(html, encoding="utf-8")
        page.set_viewport_size({"width": width, "height": height})
        page.goto(source.as_uri())
        page.evaluate("document.fonts.ready.then(() => true)")
        if photo:
            return page.screenshot(type="jpeg", quality=85)
        return page.screenshot(omit_background=True)


def svg_page(svg: Path, width: int, height: int) -> str:
    return (
        "<!doctype html><style>body{margin:0}img{display:block;width:100%;height:100%}</style>"
        f'<img src="{svg.as_uri()}" style="width:{width}px;height:{height}px">'
    )


def ico(pngs: list[tuple[int, bytes]]) -> bytes:
    """A .ico holding each (size, PNG) as it is: an icon directory, then the images."""
    header = struct.pack("<HHH", 0, 1, len(pngs))
    offset = len(header) + 16 * len(pngs)
    entries, images = b"", b""
    for size, png in pngs:
        entries += struct.pack("<BBBBHHII", size % 256, size % 256, 0, 0, 1, 32, len(png), offset)
        offset += len(png)
        images += png
    return header + entries + images


def main() -> None:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=system_chromium(), args=CHROMIUM_ARGS)
        page = browser.new_page()
        for svg in sorted((STATIC / "img" / "products").glob("*.svg")):
            picture = draw(page, svg_page(svg, 800, 600), 800, 600, photo=True)
            svg.with_suffix(".jpg").write_bytes(picture)
        (STATIC / "img" / "share").mkdir(exist_ok=True)
        card = draw(page, CARD, 1200, 630, photo=True)
        (STATIC / "img" / "share" / "soso-market.jpg").write_bytes(card)
        icons = {size: draw(page, svg_page(LOGO, size, size), size, size) for size in ICONS}
        (STATIC / "favicon.ico").write_bytes(ico([(size, icons[size]) for size in (16, 32, 48)]))
        (STATIC / "apple-touch-icon.png").write_bytes(icons[180])
        browser.close()


if __name__ == "__main__":
    main()
