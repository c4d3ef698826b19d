"""The shop's Content-Security-Policy in a real browser: a whole payment, on a PC (the window in a
frame) and on a phone (the window as the page), without one violation."""

import pytest
from playwright.sync_api import Browser, Page, expect

from shop.catalog.seed import PRODUCTS
from tests.e2e.actions import fill_checkout, kakao_window
from tests.language import BROWSER_LOCALES

PAID = "Thank you! Your order is paid."


def watch_for_violations(page: Page) -> list[str]:
    """Chromium reports every blocked script, style, frame or form on the console."""
    violations: list[str] = []

    def note(message) -> None:
        if "Content Security Policy" in message.text:
            violations.append(message.text)

    page.on("console", note)
    return violations


def buy_the_first_product(page: Page, base: str) -> None:
    page.goto(base + "/")
    page.get_by_role("link", name=PRODUCTS[0]["name"]).click()
    page.get_by_role("button", name="Add to cart").click()
    page.get_by_role("link", name="Checkout").click()
    fill_checkout(page)


def test_a_pc_payment_runs_under_the_policy(shop, page: Page):
    violations = watch_for_violations(page)
    buy_the_first_product(page, shop.url)
    response = page.request.get(page.url)
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]

    kakao_window(page).get_by_role("button", name="Approve").click()
    expect(page.get_by_role("heading", name=PAID)).to_be_visible()
    assert violations == []


@pytest.fixture
def phone(browser: Browser, playwright):
    context = browser.new_context(**playwright.devices["iPhone 13"], locale=BROWSER_LOCALES["en"])
    yield context.new_page()
    context.close()


def test_a_phone_payment_runs_under_the_policy(shop, phone: Page):
    violations = watch_for_violations(phone)
    buy_the_first_product(phone, shop.url)
    phone.get_by_role("button", name="Approve").click()
    expect(phone.get_by_role("heading", name=PAID)).to_be_visible()
    assert violations == []


def test_an_inline_script_is_refused(shop, page: Page):
    """The watch above can see a violation: one is caused on purpose."""
    page.goto(shop.url + "/")
    with page.expect_console_message(lambda m: "Content Security Policy" in m.text) as message:
        page.evaluate(
            "() => { const s = document.createElement('script');"
            " s.textContent = 'window.ran = true'; document.body.append(s); }"
        )
    assert "script-src" in message.value.text
    assert page.evaluate("() => window.ran === undefined")
