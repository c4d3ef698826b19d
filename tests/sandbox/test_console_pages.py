"""The dashboard as a person uses it: a cancel and a reset are asked first (on pages of their own,
with no script), the way back to the shop, and pages that pass axe-core and fit a phone."""

import json
import re

import pytest
import requests
from playwright.sync_api import expect

from tests.accessibility import blocking_violations
from tests.sandbox.contract import ok, refused, schedule_entry
from tests.sandbox_controls import control

CSRF_FIELD = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


class Browser:
    """A browser's cookie on the dashboard, and the form of the page at ``path``."""

    def __init__(self, sandbox):
        self.url = sandbox.url
        self.session = requests.Session()

    def get(self, path: str) -> requests.Response:
        return self.session.get(self.url + path, timeout=5)

    def post(self, path: str, token: str, origin: str | None = None):
        return self.session.post(
            self.url + path,
            data={"csrf_token": token},
            headers={"Origin": origin or self.url},
            allow_redirects=False,
            timeout=5,
        )

    def token_on(self, path: str) -> str:
        return CSRF_FIELD.search(self.get(path).text).group(1)


def test_a_cancel_is_asked_on_a_page_of_its_own(sandbox, api, charge):
    paid = charge(amount=14000, name="원두 1kg")
    action = f"/console/payments/{paid['imp_uid']}/cancel"
    browser = Browser(sandbox)
    dashboard = browser.get("/").text
    assert f'href="{action}"' in dashboard
    assert f'action="{action}"' not in dashboard

    page = browser.get(action)
    assert page.status_code == 200
    assert "Cancel this payment?" in page.text
    assert "원두 1kg" in page.text
    assert "This refunds 14,000원" in page.text
    assert f'action="{action}"' in page.text
    assert ok(api.get(f"/payments/{paid['imp_uid']}"))["status"] == "paid"

    response = browser.post(action, CSRF_FIELD.search(page.text).group(1))
    assert response.status_code == 303
    assert ok(api.get(f"/payments/{paid['imp_uid']}"))["status"] == "cancelled"


def test_the_cancel_page_of_a_payment_that_is_not_paid_offers_nothing(sandbox, api, charge):
    paid = charge(amount=14000)
    ok(api.post("/payments/cancel", json={"imp_uid": paid["imp_uid"]}))
    page = requests.get(f"{sandbox.url}/console/payments/{paid['imp_uid']}/cancel", timeout=5)
    assert page.status_code == 200
    assert "Only a paid payment can be cancelled" in page.text
    assert "<form" not in page.text
    unknown = requests.get(f"{sandbox.url}/console/payments/imp_000000000000/cancel", timeout=5)
    assert unknown.status_code == 404


def test_a_reset_is_asked_first_then_forgets_everything(sandbox, api, charge):
    paid = charge(amount=14000)
    control("POST", f"{sandbox.url}/_sandbox/faults", json={"kind": "drop"}).raise_for_status()
    browser = Browser(sandbox)
    assert 'href="/console/reset"' in browser.get("/").text

    page = browser.get("/console/reset")
    assert page.status_code == 200
    assert "Reset the sandbox?" in page.text
    assert "<li>1 payments</li>" in page.text
    assert "<li>1 armed faults</li>" in page.text
    assert ok(api.get(f"/payments/{paid['imp_uid']}"))["status"] == "paid"

    response = browser.post("/console/reset", CSRF_FIELD.search(page.text).group(1))
    assert response.status_code == 303
    dashboard = browser.get("/").text
    assert "샌드박스를 초기화했습니다." in dashboard
    assert "결제 내역이 없습니다." in dashboard
    api.renew()
    refused(api.get(f"/payments/{paid['imp_uid']}"), status=404, code=-1)
    assert control("GET", f"{sandbox.url}/_sandbox/faults").json()["faults"] == []


@pytest.mark.parametrize(
    ("token", "origin", "status"),
    [
        ("", None, 400),
        ("forged", None, 400),
        (None, "https://attacker.example", 403),
        (None, "null", 403),
    ],
    ids=["no-token", "forged-token", "other-origin", "opaque-origin"],
)
def test_the_reset_button_needs_its_token_and_its_origin(
    sandbox, api, charge, token, origin, status
):
    paid = charge()
    browser = Browser(sandbox)
    real = browser.token_on("/console/reset")
    response = browser.post("/console/reset", real if token is None else token, origin)
    assert response.status_code == status
    assert ok(api.get(f"/payments/{paid['imp_uid']}"))["status"] == "paid"


def test_the_dashboard_links_back_to_the_shop_that_mounts_it(sandbox, monkeypatch):
    monkeypatch.setitem(sandbox.app.config, "SANDBOX_SHOP_URL", "https://shop.example/")
    monkeypatch.setitem(sandbox.app.config, "SANDBOX_MERCHANT_NAME", "Soso Market")
    for path in ("/", "/console/reset"):
        page = requests.get(sandbox.url + path, timeout=5).text
        assert '<a class="shop" href="https://shop.example/">Back to Soso Market</a>' in page


def test_a_standalone_dashboard_has_no_way_back(sandbox):
    assert "Back to" not in requests.get(f"{sandbox.url}/", timeout=5).text


def test_reset_in_a_browser(sandbox, charge, page):
    paid = charge(amount=14000)
    page.goto(f"{sandbox.url}/")
    expect(page.locator(f'tr[data-imp-uid="{paid["imp_uid"]}"]')).to_be_visible()
    page.get_by_role("link", name="Reset…").click()
    expect(page.get_by_role("heading", name="Reset the sandbox?")).to_be_visible()
    page.get_by_role("button", name="Reset the sandbox").click()
    expect(page.get_by_role("status")).to_contain_text("샌드박스를 초기화했습니다.")
    expect(page.get_by_text("결제 내역이 없습니다.")).to_be_visible()


@pytest.fixture
def full_dashboard(
    no_runner, sandbox, api, seed_key, charge, book, clock, advance, receiver, webhook_log
):
    """A sandbox with something in every table of the dashboard: payments of every status (one
    with a cancel history), keys that approve and decline, schedules booked, run (paid and
    failed) and revoked, webhooks delivered, failed, dropped and held, an armed fault; and
    the imp_uid of a paid payment."""
    money = seed_key("customer_money", customer_name="홍길동", customer_email="hong@example.com")
    card = seed_key("customer_card", pay_method="card", card_name="신한카드")
    declining = seed_key("customer_declining", decline_charges=True)
    at = clock() + 600
    [_, revoked] = book(money, schedule_entry(at), schedule_entry(at + 60))
    book(declining, schedule_entry(at, name="실패할 구독"))
    book(card, schedule_entry(at + 86400, amount=19900))
    ok(api.post("/subscribe/payments/unschedule", json={"merchant_uid": [revoked["merchant_uid"]]}))
    advance(600)
    control("POST", f"{sandbox.url}/_sandbox/schedules/run").raise_for_status()

    paid = charge(money, amount=14000, name="녹차 외 1건", notice_url=receiver.url)
    receiver.statuses = [500]
    partly = charge(card, amount=20000, name="원두 1kg", notice_url=receiver.url)
    ok(api.post("/payments/cancel", json={"imp_uid": partly["imp_uid"], "amount": 5000}))
    charge(declining, amount=9900)
    for kind in ("drop", "reorder"):
        control("POST", f"{sandbox.url}/_sandbox/faults", json={"kind": kind}).raise_for_status()
        charge(money, amount=3000, notice_url=receiver.url)
    webhook_log(wait_for=2)
    control(
        "POST",
        f"{sandbox.url}/_sandbox/faults",
        json={"kind": "500", "endpoint": "GET /payments/{imp_uid}"},
    ).raise_for_status()
    order = {"merchant_uid": "order_open", "name": "창이 열린 주문", "amount": 1000}
    requests.post(
        f"{sandbox.url}/window/open",
        data={
            "imp_code": "imp00000000",
            "params": json.dumps(order),
            "origin": "http://merchant.example",
            "mode": "overlay",
            "request_id": "0123456789abcdef",
        },
        timeout=5,
    ).raise_for_status()

    page = requests.get(f"{sandbox.url}/", timeout=5).text
    shown = set(re.findall(r'class="badge (\w+)"', page))
    assert {"paid", "failed", "ready", "cancelled", "executed", "revoked", "scheduled"} <= shown
    assert {"delivered", "dropped", "held"} <= shown, shown
    assert "Faults armed: 1" in page
    return paid["imp_uid"]


PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
DESKTOP = {"viewport": {"width": 1280, "height": 800}}


@pytest.mark.parametrize("device", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_the_dashboard_and_its_questions_pass_axe(full_dashboard, sandbox, browser, device):
    context = browser.new_context(**device)
    page = context.new_page()
    for path in ("/", f"/console/payments/{full_dashboard}/cancel", "/console/reset"):
        page.goto(sandbox.url + path)
        assert blocking_violations(page) == [], path
    context.close()


def test_the_dashboard_fits_a_phone(full_dashboard, sandbox, browser):
    """390 px wide: the page never scrolls sideways; a wide table scrolls inside its box."""
    context = browser.new_context(**PHONE)
    page = context.new_page()
    for path in ("/", f"/console/payments/{full_dashboard}/cancel", "/console/reset"):
        page.goto(sandbox.url + path)
        assert page.evaluate("document.documentElement.scrollWidth <= innerWidth"), path
    page.goto(f"{sandbox.url}/")
    payments = page.locator("#payments .scroll")
    assert payments.evaluate("box => box.scrollWidth > box.clientWidth")
    assert payments.evaluate("box => getComputedStyle(box).overflowX") == "auto"
    context.close()


def test_the_console_runs_no_script_and_is_never_framed(sandbox, charge):
    paid = charge()
    for path in ("/", f"/console/payments/{paid['imp_uid']}/cancel", "/console/reset"):
        response = requests.get(sandbox.url + path, timeout=5)
        policy = response.headers["Content-Security-Policy"]
        assert "script-src 'none'" in policy, path
        assert "frame-ancestors 'none'" in policy, path
        assert "<script" not in response.text, path
