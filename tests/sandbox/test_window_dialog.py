"""The Kakao Pay window as a person meets it, in Chromium: on a PC a modal dialog over the merchant
page that takes the focus, keeps it and gives it back, that Escape cancels, with the sandbox's
own controls set apart; on a phone a page of its own. axe-core finds nothing serious in either."""

from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import expect

from tests.accessibility import blocking_violations
from tests.sandbox.merchant_site import PortOneApi, create_app
from tests.servers import LiveServer

OVERLAY = 'iframe[title="Kakao Pay"]'
CANCELLED = "사용자가 결제를 취소하셨습니다"
IN_THE_FRAME = f"document.activeElement === document.querySelector('{OVERLAY}')"


@pytest.fixture(scope="module")
def merchant(sandbox_server):
    """The merchant site, on another origin than the sandbox."""
    server = LiveServer(create_app(sandbox_server.url)).start()
    yield server
    server.stop()


def open_window(page, merchant, merchant_uid: str, button: str = "Pay 14,000원", **query):
    """Press the merchant page's button from the keyboard, as the window's opener; the window."""
    query_string = "&".join(f"{name}={value}" for name, value in query.items())
    page.goto(f"{merchant.url}/?merchant_uid={merchant_uid}&{query_string}")
    page.get_by_role("button", name=button).focus()
    page.keyboard.press("Enter")
    window = page.frame_locator(OVERLAY)
    expect(window.get_by_role("button", name="Approve")).to_be_visible()
    return window


def callback_rsp(page) -> dict:
    page.wait_for_function("window.__rsp !== undefined")
    return page.evaluate("window.__rsp")


def test_the_window_is_a_modal_dialog_that_takes_the_focus(page, merchant, sandbox):
    window = open_window(page, merchant, "order_dialog")

    dialog = page.get_by_role("dialog", name="Kakao Pay")
    expect(dialog).to_be_visible()
    expect(dialog).to_have_attribute("aria-modal", "true")
    # Shown modally: everything else on the page is inert until it closes.
    assert dialog.evaluate("dialog => dialog.matches(':modal')")
    expect(page.locator(OVERLAY)).to_be_focused()
    expect(window.get_by_role("heading", name="카카오페이 결제")).to_be_focused()


def test_tab_and_shift_tab_keep_the_focus_in_the_window(page, merchant, sandbox):
    window = open_window(page, merchant, "order_tabs")
    controls = window.locator("button, input:not([type=hidden])")
    expect(controls).to_have_count(6)

    for key in ["Tab"] * 8 + ["Shift+Tab"] * 8:
        page.keyboard.press(key)
        assert page.evaluate(IN_THE_FRAME), key
        assert controls.evaluate_all("all => all.includes(document.activeElement)"), key


def test_escape_cancels_and_the_focus_returns_to_the_opener(page, merchant, sandbox):
    open_window(page, merchant, "order_escape")
    page.keyboard.press("Escape")

    rsp = callback_rsp(page)
    assert (rsp["error_code"], rsp["error_msg"]) == ("F0001", CANCELLED)
    expect(page.get_by_role("dialog")).to_have_count(0)
    expect(page.get_by_role("button", name="Pay 14,000원")).to_be_focused()
    assert PortOneApi(sandbox.url).payment(rsp["imp_uid"])["fail_reason"] == CANCELLED


def test_escape_on_the_merchant_pages_side_cancels_too(page, merchant, sandbox):
    open_window(page, merchant, "order_escape_outside")
    page.evaluate("document.activeElement.blur()")
    assert not page.evaluate(IN_THE_FRAME)
    page.keyboard.press("Escape")

    assert callback_rsp(page)["error_code"] == "F0001"
    expect(page.get_by_role("dialog")).to_have_count(0)


def test_the_focus_returns_to_the_opener_after_approval(page, merchant, sandbox):
    window = open_window(page, merchant, "order_approved")
    window.get_by_role("button", name="Approve").click()

    assert callback_rsp(page)["success"] is True
    expect(page.get_by_role("button", name="Pay 14,000원")).to_be_focused()


def test_decline_and_decline_later_charges_are_set_apart_as_test_controls(page, merchant, sandbox):
    window = open_window(
        page, merchant, "issue_tests", button="Register Kakao Pay", customer_uid="cu_tests"
    )
    page.on("dialog", lambda alert: alert.accept())
    tests_only = window.get_by_role("group", name="Test controls (sandbox only)")
    expect(tests_only.get_by_role("button", name="Decline")).to_be_visible()
    expect(tests_only.get_by_role("checkbox", name="Decline later charges")).to_be_visible()
    expect(tests_only.get_by_role("button", name="Approve")).to_have_count(0)
    expect(tests_only.get_by_role("button", name="Cancel")).to_have_count(0)


def test_the_overlay_passes_axe(page, merchant, sandbox):
    open_window(page, merchant, "issue_axe", button="Register Kakao Pay", customer_uid="cu_axe")
    frame = page.locator(OVERLAY).element_handle().content_frame()
    assert blocking_violations(page) == []
    assert blocking_violations(frame) == []


@pytest.fixture
def phone(browser, playwright, sandbox):
    context = browser.new_context(**playwright.devices["iPhone 13"])
    yield context.new_page()
    context.close()


def test_the_phone_window_passes_axe_and_escape_cancels(phone, merchant):
    phone.goto(f"{merchant.url}/?merchant_uid=order_phone_axe")
    phone.get_by_role("button", name="Pay 14,000원").click()
    expect(phone.get_by_role("button", name="Approve")).to_be_visible()
    assert blocking_violations(phone) == []

    phone.keyboard.press("Escape")
    phone.wait_for_url(f"{merchant.url}/complete?**")
    query = parse_qs(urlsplit(phone.url).query)
    assert (query["imp_success"], query["error_code"]) == (["false"], ["F0001"])
