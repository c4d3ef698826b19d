"""The dashboard and the ``/_sandbox/`` controls: reset, clock, console-style cancel."""

from urllib.parse import urljoin

import pytest
import requests

from tests.sandbox.contract import ok, refused


def test_reset_forgets_everything(sandbox, api, charge):
    paid = charge()
    ok(api.post("/payments/prepare", json={"merchant_uid": "order_1", "amount": 1000}))
    answer = requests.post(f"{sandbox.url}/_sandbox/reset", timeout=5)
    assert answer.status_code == 200
    assert answer.json()["reset"] is True
    assert api.get("/payments/status/all").status_code == 401
    api.renew()
    refused(api.get(f"/payments/{paid['imp_uid']}"), status=404, code=-1)
    refused(api.get("/payments/prepare/order_1"), status=404, code=-1)
    refused(api.get("/subscribe/customers/customer_money"), status=404, code=-1)


def test_the_clock_advances_and_resets(sandbox):
    before = requests.get(f"{sandbox.url}/_sandbox/clock", timeout=5).json()
    assert before["offset"] == 0
    moved = requests.post(
        f"{sandbox.url}/_sandbox/clock/advance", data={"seconds": "3600"}, timeout=5
    ).json()
    assert moved["offset"] == 3600
    assert moved["now"] >= before["now"] + 3600
    requests.post(f"{sandbox.url}/_sandbox/reset", timeout=5).raise_for_status()
    assert requests.get(f"{sandbox.url}/_sandbox/clock", timeout=5).json()["offset"] == 0


@pytest.mark.parametrize("seconds", ["soon", -5, 1.5, [1]])
def test_bad_clock_advances_are_400(sandbox, seconds):
    response = requests.post(
        f"{sandbox.url}/_sandbox/clock/advance", json={"seconds": seconds}, timeout=5
    )
    refused(response, status=400)
    assert requests.get(f"{sandbox.url}/_sandbox/clock", timeout=5).json()["offset"] == 0


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
    assert f"/_sandbox/payments/{paid['imp_uid']}/cancel" in html
    css = requests.get(f"{sandbox.url}/_sandbox/static/console.css", timeout=5)
    assert css.status_code == 200


def test_dashboard_cancel_button_cancels_and_redirects_back(sandbox, api, charge):
    paid = charge(amount=14000)
    response = requests.post(
        f"{sandbox.url}/_sandbox/payments/{paid['imp_uid']}/cancel",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        data="",
        allow_redirects=False,
        timeout=5,
    )
    assert response.status_code == 302
    back = requests.get(urljoin(response.url, response.headers["Location"]), timeout=5)
    assert "14,000원 취소되었습니다" in back.text
    cancelled = ok(api.get(f"/payments/{paid['imp_uid']}"))
    assert (cancelled["status"], cancelled["cancel_amount"]) == ("cancelled", 14000)
    assert f"/_sandbox/payments/{paid['imp_uid']}/cancel" not in back.text


def test_dashboard_cancel_of_a_cancelled_payment_explains(sandbox, api, charge):
    paid = charge()
    ok(api.post("/payments/cancel", json={"imp_uid": paid["imp_uid"]}))
    response = requests.post(
        f"{sandbox.url}/_sandbox/payments/{paid['imp_uid']}/cancel",
        data={"reason": "관리자 취소"},
        timeout=5,
    )
    assert response.status_code == 200
    assert "이미 전액취소된 주문입니다." in response.text


def test_console_cancel_by_json(sandbox, api, charge):
    paid = charge(amount=14000)
    url = f"{sandbox.url}/_sandbox/payments/{paid['imp_uid']}/cancel"
    partial = ok(requests.post(url, json={"amount": 4000, "reason": "콘솔 부분취소"}, timeout=5))
    assert (partial["status"], partial["cancel_amount"]) == ("paid", 4000)
    assert partial["cancel_history"][0]["reason"] == "콘솔 부분취소"
    rest = ok(requests.post(url, json={}, timeout=5))
    assert (rest["status"], rest["cancel_amount"]) == ("cancelled", 14000)
    assert refused(requests.post(url, json={}, timeout=5)) == "이미 전액취소된 주문입니다."
    missing = f"{sandbox.url}/_sandbox/payments/imp_000000000000/cancel"
    refused(requests.post(missing, json={}, timeout=5), status=404, code=-1)
    refused(requests.post(url, json={"amount": "lots"}, timeout=5), status=400)


def test_empty_dashboard(sandbox):
    page = requests.get(f"{sandbox.url}/", timeout=5)
    assert page.status_code == 200
    assert "결제 내역이 없습니다." in page.text
