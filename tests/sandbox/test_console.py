"""The dashboard, its Cancel and "Run due schedules" forms, and what the ``/_sandbox/`` controls do:
reset, clock, console-style cancel."""

import re
from urllib.parse import urljoin

import pytest
import requests
from playwright.sync_api import expect

from tests.sandbox.contract import ok, refused, schedule_entry
from tests.sandbox_controls import control

CSRF_FIELD = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
SCHEDULE_ROW = re.compile(r'<tr class="schedule" data-merchant-uid="([^"]+)">(.*?)</tr>', re.S)
KEY_ROW = re.compile(r"<tr>\s*<td><code>([^<]+)</code></td>(.*?)</tr>", re.S)


def test_reset_forgets_everything(sandbox, api, charge):
    paid = charge()
    ok(api.post("/payments/prepare", json={"merchant_uid": "order_1", "amount": 1000}))
    answer = control("POST", f"{sandbox.url}/_sandbox/reset", timeout=5)
    assert answer.status_code == 200
    assert answer.json()["reset"] is True
    assert api.get("/payments/status/all").status_code == 401
    api.renew()
    refused(api.get(f"/payments/{paid['imp_uid']}"), status=404, code=-1)
    refused(api.get("/payments/prepare/order_1"), status=404, code=-1)
    refused(api.get("/subscribe/customers/customer_money"), status=404, code=-1)


def test_the_clock_advances_and_resets(sandbox):
    before = control("GET", f"{sandbox.url}/_sandbox/clock", timeout=5).json()
    assert before["offset"] == 0
    moved = control(
        "POST", f"{sandbox.url}/_sandbox/clock/advance", data={"seconds": "3600"}, timeout=5
    ).json()
    assert moved["offset"] == 3600
    assert moved["now"] >= before["now"] + 3600
    control("POST", f"{sandbox.url}/_sandbox/reset", timeout=5).raise_for_status()
    assert control("GET", f"{sandbox.url}/_sandbox/clock", timeout=5).json()["offset"] == 0


@pytest.mark.parametrize("seconds", ["soon", -5, 1.5, [1]])
def test_bad_clock_advances_are_400(sandbox, seconds):
    response = control(
        "POST", f"{sandbox.url}/_sandbox/clock/advance", json={"seconds": seconds}, timeout=5
    )
    refused(response, status=400)
    assert control("GET", f"{sandbox.url}/_sandbox/clock", timeout=5).json()["offset"] == 0


def test_dashboard_lists_payments_keys_and_cancel_history(sandbox, api, seed_key, charge):
    seed_key("customer_card", pay_method="card", card_name="신한카드", customer_name="홍길동")
    paid = charge("customer_card", amount=14000, name="원두 <b>1kg</b>")
    ok(api.post("/payments/cancel", json={"imp_uid": paid["imp_uid"], "amount": 4000}))
    page = requests.get(f"{sandbox.url}/", timeout=5)
    assert page.status_code == 200
    assert page.headers["Content-Type"].startswith("text/html")
    html = page.text
    assert "14,000원" in html
    assert "4,000원" in html
    assert paid["imp_uid"] in html
    assert "customer_card" in html
    assert "홍길동" in html
    assert "원두 &lt;b&gt;1kg&lt;/b&gt;" in html
    assert "<b>1kg</b>" not in html
    assert f"/console/payments/{paid['imp_uid']}/cancel" in html
    css = requests.get(f"{sandbox.url}/_sandbox/static/console.css", timeout=5)
    assert css.status_code == 200


class Dashboard:
    """A browser on the dashboard: its session cookie, and the form of each payment's cancel
    page, which the dashboard's Cancel link opens."""

    def __init__(self, sandbox):
        self.url = sandbox.url
        self.browser = requests.Session()

    def cancel_form(self, imp_uid: str) -> tuple[str, dict]:
        """The action and fields of the cancel page's form for ``imp_uid``, read from the page
        the dashboard links to."""
        action = f"/console/payments/{imp_uid}/cancel"
        assert f'href="{action}"' in self.browser.get(f"{self.url}/", timeout=5).text
        page = self.browser.get(self.url + action, timeout=5).text
        assert f'action="{action}"' in page, page
        return self.url + action, {"csrf_token": CSRF_FIELD.search(page).group(1)}

    def cancel(self, imp_uid: str, origin: str | None = None, **changes):
        """Press Cancel as a browser on ``origin`` (the dashboard's own by default) would."""
        url, fields = self.cancel_form(imp_uid)
        return self.browser.post(
            url,
            data={**fields, **changes},
            headers={"Origin": origin or self.url},
            allow_redirects=False,
            timeout=5,
        )


def test_dashboard_cancel_button_cancels_and_redirects_back(sandbox, api, charge):
    paid = charge(amount=14000)
    dashboard = Dashboard(sandbox)
    response = dashboard.cancel(paid["imp_uid"])
    assert response.status_code == 303
    back = dashboard.browser.get(urljoin(response.url, response.headers["Location"]), timeout=5)
    assert "14,000원 취소되었습니다" in back.text
    cancelled = ok(api.get(f"/payments/{paid['imp_uid']}"))
    assert (cancelled["status"], cancelled["cancel_amount"]) == ("cancelled", 14000)
    assert f"/console/payments/{paid['imp_uid']}/cancel" not in back.text


def test_dashboard_cancel_of_a_cancelled_payment_explains(sandbox, api, charge):
    paid = charge()
    dashboard = Dashboard(sandbox)
    url, fields = dashboard.cancel_form(paid["imp_uid"])
    ok(api.post("/payments/cancel", json={"imp_uid": paid["imp_uid"]}))
    response = dashboard.browser.post(url, data=fields, headers={"Origin": sandbox.url}, timeout=5)
    assert response.status_code == 200
    assert "이미 전액취소된 주문입니다." in response.text


@pytest.mark.parametrize(
    ("changes", "origin", "status"),
    [
        ({"csrf_token": ""}, None, 400),
        ({"csrf_token": "forged"}, None, 400),
        ({}, "https://attacker.example", 403),
        ({}, "null", 403),
    ],
    ids=["no-token", "forged-token", "other-origin", "opaque-origin"],
)
def test_dashboard_cancel_needs_its_token_and_its_origin(
    sandbox, api, charge, changes, origin, status
):
    paid = charge()
    response = Dashboard(sandbox).cancel(paid["imp_uid"], origin, **changes)
    assert response.status_code == status
    assert ok(api.get(f"/payments/{paid['imp_uid']}"))["status"] == "paid"


def test_a_token_from_another_browser_is_refused(sandbox, api, charge):
    paid = charge()
    url, fields = Dashboard(sandbox).cancel_form(paid["imp_uid"])
    response = requests.post(url, data=fields, headers={"Origin": sandbox.url}, timeout=5)
    assert response.status_code == 400
    assert ok(api.get(f"/payments/{paid['imp_uid']}"))["status"] == "paid"


def test_the_dashboard_cancel_button_in_a_browser(sandbox, charge, page):
    paid = charge(amount=14000)
    page.goto(f"{sandbox.url}/")
    page.get_by_role("link", name=f"Cancel {paid['imp_uid']}").click()
    expect(page.get_by_role("heading", name="Cancel this payment?")).to_be_visible()
    page.get_by_role("button", name="Cancel the payment").click()
    expect(page.get_by_role("status")).to_contain_text("14,000원 취소되었습니다")
    expect(page.get_by_role("link", name=f"Cancel {paid['imp_uid']}")).to_have_count(0)


def test_console_cancel_by_json(sandbox, api, charge):
    paid = charge(amount=14000)
    url = f"{sandbox.url}/_sandbox/payments/{paid['imp_uid']}/cancel"
    partial = ok(control("POST", url, json={"amount": 4000, "reason": "콘솔 부분취소"}, timeout=5))
    assert (partial["status"], partial["cancel_amount"]) == ("paid", 4000)
    assert partial["cancel_history"][0]["reason"] == "콘솔 부분취소"
    rest = ok(control("POST", url, json={}, timeout=5))
    assert (rest["status"], rest["cancel_amount"]) == ("cancelled", 14000)
    assert refused(control("POST", url, json={}, timeout=5)) == "이미 전액취소된 주문입니다."
    missing = f"{sandbox.url}/_sandbox/payments/imp_000000000000/cancel"
    refused(control("POST", missing, json={}, timeout=5), status=404, code=-1)
    refused(control("POST", url, json={"amount": "lots"}, timeout=5), status=400)


def test_empty_dashboard(sandbox):
    page = requests.get(f"{sandbox.url}/", timeout=5)
    assert page.status_code == 200
    assert "결제 내역이 없습니다." in page.text


def test_dashboard_lists_schedules_and_each_keys_payments(
    no_runner, sandbox, api, seed_key, book, clock, advance, charge
):
    customer = seed_key("customer_money")
    declining = seed_key("customer_declining", decline_charges=True)
    at = clock() + 600
    [paid_schedule, revoked] = book(customer, schedule_entry(at), schedule_entry(at + 60))
    [failed_schedule] = book(declining, schedule_entry(at, name="실패할 구독"))
    [later] = book(customer, schedule_entry(at + 86400, amount=19900))
    again = charge(customer, amount=5000)
    ok(api.post("/subscribe/payments/unschedule", json={"merchant_uid": [revoked["merchant_uid"]]}))
    advance(600)
    ran = {
        s["merchant_uid"]: s
        for s in control("POST", f"{sandbox.url}/_sandbox/schedules/run").json()["executed"]
    }

    html = requests.get(f"{sandbox.url}/", timeout=5).text
    rows = dict(SCHEDULE_ROW.findall(html))
    assert set(rows) == {
        paid_schedule["merchant_uid"],
        revoked["merchant_uid"],
        failed_schedule["merchant_uid"],
        later["merchant_uid"],
    }
    paid_row = rows[paid_schedule["merchant_uid"]]
    assert "executed" in paid_row
    assert ran[paid_schedule["merchant_uid"]]["imp_uid"] in paid_row
    assert 'class="badge paid"' in paid_row
    failed_row = rows[failed_schedule["merchant_uid"]]
    assert ("executed" in failed_row, "잔액이 부족합니다." in failed_row) == (True, True)
    assert "revoked" in rows[revoked["merchant_uid"]]
    assert (
        "scheduled" in rows[later["merchant_uid"]],
        "19,900원" in rows[later["merchant_uid"]],
    ) == (True, True)

    keys = dict(KEY_ROW.findall(html))
    assert again["imp_uid"] in keys[customer]
    assert ran[paid_schedule["merchant_uid"]]["imp_uid"] in keys[customer]
    assert "payment.scheduled" in keys[customer]
    assert ran[failed_schedule["merchant_uid"]]["imp_uid"] in keys[declining]
    assert again["imp_uid"] not in keys[declining]


def test_the_run_due_schedules_button_in_a_browser(
    no_runner, sandbox, api, seed_key, book, clock, advance, page
):
    [booked] = book(seed_key("customer_money"), schedule_entry(clock() + 600))
    advance(600)
    page.goto(f"{sandbox.url}/")
    row = page.locator(f'tr.schedule[data-merchant-uid="{booked["merchant_uid"]}"]')
    expect(row).to_contain_text("scheduled")
    page.get_by_role("button", name="Run due schedules").click()
    expect(page.get_by_role("status")).to_contain_text("예약결제 1건을 실행했습니다.")
    expect(row).to_contain_text("executed")
    found = ok(api.get(f"/subscribe/payments/schedule/{booked['merchant_uid']}"))
    assert (found["schedule_status"], found["payment_status"]) == ("executed", "paid")
    expect(row).to_contain_text(found["imp_uid"])


@pytest.mark.parametrize(
    ("changes", "origin", "status"),
    [({"csrf_token": "forged"}, None, 400), ({}, "https://attacker.example", 403)],
    ids=["forged-token", "other-origin"],
)
def test_the_run_button_needs_its_token_and_its_origin(
    no_runner, sandbox, api, seed_key, book, clock, advance, changes, origin, status
):
    [booked] = book(seed_key("customer_money"), schedule_entry(clock() + 600))
    advance(600)
    browser = requests.Session()
    token = CSRF_FIELD.search(browser.get(f"{sandbox.url}/", timeout=5).text).group(1)
    response = browser.post(
        f"{sandbox.url}/console/schedules/run",
        data={"csrf_token": token, **changes},
        headers={"Origin": origin or sandbox.url},
        allow_redirects=False,
        timeout=5,
    )
    assert response.status_code == status
    found = ok(api.get(f"/subscribe/payments/schedule/{booked['merchant_uid']}"))
    assert found["schedule_status"] == "scheduled"
