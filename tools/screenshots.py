"""The README's pictures, taken from the running shop: a buyer on a desktop (in English) and on a
390 px phone (in Korean, the shop's first language) browses, checks out, approves in the
embedded sandbox's Kakao Pay window, and signs up and saves Kakao Pay.

Runs the shop (embedded sandbox, SQLite in a temporary folder) on a free port and writes
docs/screenshots/<device>-<page>.png: ``make screenshots``.
"""

import sys
import tempfile
import threading
from pathlib import Path

from playwright.sync_api import Browser, Page, expect, sync_playwright
from werkzeug.serving import make_server

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from portone_sandbox.playwright import approve, kakao_pay_window  # noqa: E402
from shop import create_app  # noqa: E402
from tests.browser import CHROMIUM_ARGS, system_chromium  # noqa: E402
from tests.e2e.actions import BUYER, CONSENT, PASSWORD  # noqa: E402
from tests.language import BROWSER_LOCALES, t  # noqa: E402

OUT = ROOT / "docs" / "screenshots"
PRODUCT = "제주 유기농 녹차"
DEVICES = {
    "desktop": {"lang": "en", "viewport": {"width": 1280, "height": 800}},
    # An iPhone 13's screen and browser, so that Kakao Pay takes the whole page as on a phone.
    "phone": {"lang": "ko", "device": "iPhone 13"},
}


def serve() -> str:
    """The shop with the demo catalog and plans, on a free port; its address."""
    data = Path(tempfile.mkdtemp())
    app = create_app(
        {
            "SECRET_KEY": "screenshots",
            "DATABASE_URL": f"sqlite:///{data / 'shop.sqlite3'}",
            "SANDBOX_DATABASE_URL": f"sqlite:///{data / 'sandbox.sqlite3'}",
        }
    )
    seeded = app.test_cli_runner().invoke(args=["seed"])
    assert seeded.exit_code == 0, seeded.output
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_port}"


def shoot(page: Page, device: str, name: str) -> None:
    page.evaluate("document.fonts.ready.then(() => true)")
    path = OUT / f"{device}-{name}.png"
    page.screenshot(path=path, animations="disabled", caret="initial")
    print(path.relative_to(ROOT))


def take(playwright, browser: Browser, base: str, device: str) -> None:
    """One buyer's visit on ``device``, a picture at each step."""
    options = dict(DEVICES[device])
    lang = options.pop("lang")
    if "device" in options:
        # At twice the pixels of its CSS, as most phones: sharp, and half an iPhone's bytes.
        options = {**playwright.devices[options.pop("device")], "device_scale_factor": 2}
    context = browser.new_context(**{**options, "locale": BROWSER_LOCALES[lang]})
    page = context.new_page()
    email = f"{device}@example.com"

    page.goto(base + "/")
    shoot(page, device, "catalog")

    page.get_by_role("link", name=PRODUCT).click()
    page.get_by_role("button", name=t("Increase quantity", lang)).click()
    page.evaluate("window.scrollTo(0, 0)")
    shoot(page, device, "product")

    page.get_by_role("button", name=t("Add to cart", lang)).click()
    page.get_by_role("link", name=t("Checkout", lang)).click()
    for label, value in {**BUYER, "Email": email}.items():
        page.get_by_label(t(label, lang), exact=True).fill(value)
    page.get_by_role("checkbox", name=t(CONSENT, lang)).check()
    page.evaluate("document.activeElement.blur(); window.scrollTo(0, 0)")
    shoot(page, device, "checkout")

    page.get_by_role("button", name=t("Continue to Kakao Pay", lang)).click()
    kakao_pay_window(page)
    shoot(page, device, "kakao-pay")
    approve(page)
    paid = t("Thank you! Your order is paid.", lang)
    expect(page.get_by_role("heading", name=paid)).to_be_visible()
    shoot(page, device, "confirmation")

    page.get_by_role("link", name=t("Sign up", lang)).click()
    page.get_by_label(t("Name", lang), exact=True).fill(BUYER["Name"])
    page.get_by_label(t("Email", lang), exact=True).fill(email)
    page.get_by_label(t("Password", lang), exact=True).fill(PASSWORD)
    page.get_by_role("button", name=t("Sign up", lang)).click()
    for label in ("Phone", "Address", "Postcode"):
        page.get_by_label(t(label, lang), exact=True).fill(BUYER[label])
    page.get_by_role("button", name=t("Save details", lang)).click()
    page.get_by_role("button", name=t("Save Kakao Pay", lang)).click()
    approve(page, pay_with="card")
    saved = t("Kakao Pay is saved. You can now buy with one click.", lang)
    expect(page.get_by_text(saved)).to_be_visible()
    saved_key = page.get_by_role("heading", name=t("Saved Kakao Pay", lang))
    saved_key.evaluate("heading => heading.parentElement.scrollIntoView({block: 'nearest'})")
    shoot(page, device, "account")
    context.close()


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    base = serve()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=system_chromium(), args=CHROMIUM_ARGS)
        for device in DEVICES:
            take(playwright, browser, base, device)
        browser.close()


if __name__ == "__main__":
    main()
