"""The tea shop paid with Kakao Pay on a desktop (the window over the page) and on a phone (the
window as the whole page, then back through m_redirect_url), against the PortOne sandbox served
by its pytest plugin and answered with its Playwright helpers."""

import threading

import pytest
from playwright.sync_api import expect
from tea_shop import create_app
from werkzeug.serving import make_server

from portone_sandbox.playwright import approve, cancel, decline

# The sandbox's pytest plugin: the portone_sandbox fixture serves the sandbox for the session
# and empties it before each test. (Or: pytest --portone-sandbox.)
pytest_plugins = ["portone_sandbox.pytest_plugin"]


@pytest.fixture
def shop(portone_sandbox):
    """The tea shop, served on a free port and pointed at the sandbox."""
    app = create_app(
        {
            "PORTONE_API_BASE": portone_sandbox.base_url,
            "PORTONE_SDK_URL": portone_sandbox.sdk_url,
            "PORTONE_IMP_CODE": portone_sandbox.imp_code,
            "PORTONE_API_KEY": portone_sandbox.api_key,
            "PORTONE_API_SECRET": portone_sandbox.api_secret,
        }
    )
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


@pytest.fixture(params=["desktop", "iPhone 13"])
def buyer(request, browser, playwright):
    """A page in a desktop browser, or in a phone's (where Kakao Pay takes the whole page)."""
    device = {} if request.param == "desktop" else playwright.devices[request.param]
    context = browser.new_context(**device)
    yield context.new_page()
    context.close()


def pay(buyer, shop):
    buyer.goto(shop)
    buyer.get_by_role("button", name="Pay with Kakao Pay").click()
    return buyer


def test_paid_with_kakao_pay(shop, buyer, portone_sandbox):
    approve(pay(buyer, shop), pay_with="card")

    expect(buyer.get_by_role("status")).to_have_text("Paid 14,000원. Thank you!")
    [payment] = portone_sandbox.payments(status="paid")
    assert (payment["amount"], payment["pay_method"]) == (14000, "card")
    [notice] = portone_sandbox.wait_for_webhooks(1)
    assert (notice["body"]["imp_uid"], notice["http_status"]) == (payment["imp_uid"], 200)


def test_declined(shop, buyer, portone_sandbox):
    decline(pay(buyer, shop))

    expect(buyer.get_by_role("status")).to_contain_text("Not paid: [카카오페이]")
    assert [p["status"] for p in portone_sandbox.payments()] == ["failed"]


def test_cancelled_by_the_buyer(shop, buyer, portone_sandbox):
    cancel(pay(buyer, shop))

    expect(buyer.get_by_role("status")).to_have_text("Not paid: 사용자가 결제를 취소하셨습니다")


def test_an_amount_changed_in_the_browser_is_refused(shop, buyer, portone_sandbox):
    buyer.goto(shop)
    buyer.evaluate("order.amount = 100")
    buyer.get_by_role("button", name="Pay with Kakao Pay").click()
    approve(buyer)

    expect(buyer.get_by_role("status")).to_have_text("Refused: 100원 paid for 14,000원")


def test_while_portone_is_down_the_order_waits(shop, buyer, portone_sandbox):
    portone_sandbox.faults.arm("drop")  # no webhook: the buyer's return alone asks PortOne
    portone_sandbox.faults.arm("500", endpoint="GET /payments/{imp_uid}")
    approve(pay(buyer, shop))

    expect(buyer.get_by_role("status")).to_contain_text("PortOne could not be asked")
    buyer.reload()
    expect(buyer.get_by_role("status")).to_have_text("Paid 14,000원. Thank you!")
