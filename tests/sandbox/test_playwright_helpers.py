"""The Playwright helpers (``portone_sandbox.playwright``) on a merchant page of another origin,
in Chromium on a desktop (the overlay) and on phones (the whole page), with the sandbox served
by the pytest plugin as a shop's suite would use it."""

import re
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from playwright.sync_api import expect

from portone_sandbox.playwright import NoKakaoPayWindow, approve, cancel, decline
from tests.sandbox.merchant_site import PortOneApi, create_app
from tests.servers import LiveServer

pytest_plugins = ["portone_sandbox.pytest_plugin"]

CANCELLED = "사용자가 결제를 취소하셨습니다"


@pytest.fixture(scope="module")
def merchant(portone_sandbox_server):
    """The merchant site, loading iamport.js from the plugin's sandbox."""
    server = LiveServer(create_app(portone_sandbox_server.base_url)).start()
    yield server
    server.stop()


def checkout(page, merchant, merchant_uid: str, button: str = "Pay 14,000원", **query):
    """Open the merchant page for ``merchant_uid`` and press its button."""
    page.goto(f"{merchant.url}/?{urlencode({'merchant_uid': merchant_uid, **query})}")
    page.get_by_role("button", name=button).click()
    return page


def callback_rsp(page) -> dict:
    page.wait_for_function("window.__rsp !== undefined")
    return page.evaluate("window.__rsp")


@pytest.mark.parametrize(("pay_with", "pay_method"), [("kakaomoney", "point"), ("card", "card")])
def test_approve_in_the_overlay(page, merchant, portone_sandbox, pay_with, pay_method):
    approve(checkout(page, merchant, f"order_{pay_with}"), pay_with=pay_with)

    expect(page.locator('iframe[title="Kakao Pay"]')).to_have_count(0)
    rsp = callback_rsp(page)
    assert rsp["success"] is True
    payment = portone_sandbox.payment(rsp["imp_uid"])
    assert (payment["status"], payment["pay_method"], payment["channel"]) == (
        "paid",
        pay_method,
        "pc",
    )


def test_decline_in_the_overlay(page, merchant, portone_sandbox):
    decline(checkout(page, merchant, "order_declined"))

    rsp = callback_rsp(page)
    assert (rsp["success"], rsp["error_code"]) == (False, "F0002")
    assert portone_sandbox.payment(rsp["imp_uid"])["status"] == "failed"


def test_cancel_in_the_overlay(page, merchant, portone_sandbox):
    cancel(checkout(page, merchant, "order_cancelled"))

    rsp = callback_rsp(page)
    assert (rsp["error_code"], rsp["error_msg"]) == ("F0001", CANCELLED)
    assert portone_sandbox.payment(rsp["imp_uid"])["fail_reason"] == CANCELLED


def test_approve_a_billing_key_that_declines_later_charges(page, merchant, portone_sandbox):
    page = checkout(
        page, merchant, "issue_0001", button="Register Kakao Pay", customer_uid="gildong_0001"
    )
    page.on("dialog", lambda dialog: dialog.accept())
    approve(page, pay_with="card", decline_later_charges=True)

    assert callback_rsp(page)["success"] is True
    assert portone_sandbox.billing_key("gildong_0001")["card_name"].endswith("카드")
    charge = PortOneApi(portone_sandbox.base_url).call(
        "POST",
        "/subscribe/payments/again",
        json={
            "customer_uid": "gildong_0001",
            "merchant_uid": "again_1",
            "amount": 9900,
            "name": "Plan",
        },
    )
    assert charge["response"]["status"] == "failed"


def test_decline_later_charges_needs_a_billing_key_window(page, merchant, portone_sandbox):
    page = checkout(page, merchant, "order_one_off")
    with pytest.raises(ValueError, match="billing key"):
        approve(page, decline_later_charges=True)
    cancel(page)
    assert portone_sandbox.payments(status="paid") == []


def test_pay_with_is_kakaomoney_or_card(page):
    with pytest.raises(ValueError, match="kakaomoney"):
        approve(page, pay_with="bank")


def test_no_window_is_a_clear_error(page, merchant, portone_sandbox):
    page.goto(merchant.url)
    with pytest.raises(NoKakaoPayWindow, match=r"no Kakao Pay window opened within 0\.5 s"):
        approve(page, timeout=500)


def test_a_refused_request_is_a_clear_error(page, merchant, portone_sandbox):
    PortOneApi(portone_sandbox.base_url).call(
        "POST", "/payments/prepare", json={"merchant_uid": "order_prepared", "amount": 100}
    )
    page = checkout(page, merchant, "order_prepared")
    with pytest.raises(NoKakaoPayWindow):
        approve(page, timeout=1000)
    assert callback_rsp(page)["error_code"] == "F1003"
    assert portone_sandbox.payments() == []


@pytest.fixture(params=["iPhone 13", "Pixel 7"])
def phone(request, browser, playwright):
    """A page in a phone's browser, where the window takes the whole page."""
    context = browser.new_context(**playwright.devices[request.param])
    yield context.new_page()
    context.close()


def returned_to_the_merchant(phone, merchant) -> dict:
    """The query the window sent the phone back to ``m_redirect_url`` with."""
    expect(phone).to_have_url(re.compile(re.escape(f"{merchant.url}/complete?")))
    return {name: values[0] for name, values in parse_qs(urlsplit(phone.url).query).items()}


def test_approve_on_a_phone(phone, merchant, portone_sandbox):
    approve(checkout(phone, merchant, "order_phone"), pay_with="card")

    query = returned_to_the_merchant(phone, merchant)
    assert query["imp_success"] == "true"
    payment = portone_sandbox.payment(query["imp_uid"])
    assert (payment["status"], payment["pay_method"], payment["channel"]) == (
        "paid",
        "card",
        "mobile",
    )


@pytest.mark.parametrize("phone", ["iPhone 13"], indirect=True)
def test_decline_on_a_phone(phone, merchant, portone_sandbox):
    decline(checkout(phone, merchant, "order_phone_declined"))

    query = returned_to_the_merchant(phone, merchant)
    assert (query["imp_success"], query["error_code"]) == ("false", "F0002")
    assert portone_sandbox.payment(query["imp_uid"])["status"] == "failed"


@pytest.mark.parametrize("phone", ["Pixel 7"], indirect=True)
def test_cancel_on_a_phone(phone, merchant, portone_sandbox):
    cancel(checkout(phone, merchant, "order_phone_cancelled"))

    query = returned_to_the_merchant(phone, merchant)
    assert query["error_msg"] == CANCELLED
    assert portone_sandbox.payment(query["imp_uid"])["status"] == "failed"
