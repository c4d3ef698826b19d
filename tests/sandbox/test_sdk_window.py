"""The approval window's endpoints over plain HTTP: what the SDK's form posts, what the buyer's
decision posts, and what a page that is not the window's own cannot do."""

import json
import logging
import re
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from tests.sandbox.contract import rsp_in
from tests.sandbox.merchant_site import PortOneApi
from tests.sandbox_controls import control

MERCHANT = "http://merchant.example"
DECISION_FORM = re.compile(r'<form method="post" action="([^"]+)" class="decision"')
WINDOW_KEY = re.compile(r'<input type="hidden" name="key" value="([^"]+)">')
DESKTOP = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0"


@pytest.fixture
def api(sandbox):
    return PortOneApi(sandbox.url)


def open_window(sandbox, params, mode="overlay", imp_code="imp00000000", **fields):
    """Post what iamport.js posts to open a window; the raw response, redirects not followed."""
    form = {
        "imp_code": imp_code,
        "params": params if isinstance(params, str) else json.dumps(params),
        "origin": MERCHANT,
        "mode": mode,
        "request_id": "0123456789abcdef",
        **fields,
    }
    return requests.post(
        f"{sandbox.url}/window/open",
        data=form,
        headers={"User-Agent": DESKTOP},
        allow_redirects=False,
        timeout=5,
    )


def opened(sandbox, params, **kwargs) -> tuple[str, str]:
    """Open a window that is expected to open: its imp_uid and the secret its page holds."""
    response = open_window(sandbox, params, **kwargs)
    assert response.status_code == 200, response.text
    return window_of(response.text)


def window_of(page: str) -> tuple[str, str]:
    """The imp_uid and the secret of the approval window ``page`` shows."""
    action = DECISION_FORM.search(page)
    assert action, page
    return action.group(1).rsplit("/", 1)[1], WINDOW_KEY.search(page).group(1)


def decide(sandbox, imp_uid, key, decision, **fields):
    return requests.post(
        f"{sandbox.url}/window/{imp_uid}",
        data={"key": key, "decision": decision, **fields},
        allow_redirects=False,
        timeout=5,
    )


def rsp_of(response) -> dict:
    """The rsp a result page hands to the merchant page."""
    rsp = rsp_in(response.text)
    assert rsp is not None, response.text
    return rsp


ORDER = {"pg": "kakaopay", "merchant_uid": "order_http", "name": "Tea", "amount": 14000}


def test_the_first_decision_stands(sandbox, api):
    imp_uid, key = opened(sandbox, ORDER)
    approved = rsp_of(decide(sandbox, imp_uid, key, "approve"))
    again = decide(sandbox, imp_uid, key, "cancel", pay_with="card")

    assert again.status_code == 200
    assert rsp_of(again) == approved
    payment = api.payment(imp_uid)
    assert (payment["status"], payment["pay_method"]) == ("paid", "point")


def test_a_decision_needs_the_windows_secret(sandbox, api):
    imp_uid, key = opened(sandbox, ORDER)
    assert decide(sandbox, imp_uid, "guessed", "approve").status_code == 403
    assert decide(sandbox, imp_uid, "", "approve").status_code == 403
    assert api.payment(imp_uid)["status"] == "ready"
    assert rsp_of(decide(sandbox, imp_uid, key, "approve"))["success"] is True


def test_window_pages_keep_their_secret(sandbox):
    page = open_window(sandbox, ORDER)
    assert page.headers["Referrer-Policy"] == "no-referrer"
    assert page.headers["Cache-Control"] == "no-store"
    assert "default-src 'self'" in page.headers["Content-Security-Policy"]


def window_answers(sandbox) -> dict[str, requests.Response]:
    """One answer of each kind the window's routes give, by what was asked."""
    answers = {"window": open_window(sandbox, {**ORDER, "merchant_uid": "order_window"})}
    answers["refused"] = open_window(sandbox, ORDER, imp_code="imp99999999")
    answers["malformed"] = open_window(sandbox, "not json")
    imp_uid, key = window_of(answers["window"].text)
    answers["wrong key"] = decide(sandbox, imp_uid, "not-the-key", "approve")
    answers["unknown decision"] = decide(sandbox, imp_uid, key, "maybe")
    answers["unknown window"] = decide(sandbox, "imp_000000000000", key, "approve")
    answers["approved"] = decide(sandbox, imp_uid, key, "approve")
    answers["decided again"] = decide(sandbox, imp_uid, key, "cancel")
    answers["receipt"] = requests.get(f"{sandbox.url}/receipts/{imp_uid}", timeout=5)
    answers["no receipt"] = requests.get(f"{sandbox.url}/receipts/imp_000000000000", timeout=5)
    phone = {**ORDER, "merchant_uid": "order_phone", "m_redirect_url": "https://shop.example/done"}
    answers["phone window"] = open_window(sandbox, phone, mode="redirect")
    imp_uid, key = window_of(answers["phone window"].text)
    answers["phone redirect"] = decide(sandbox, imp_uid, key, "decline")
    answers["phone refused"] = open_window(sandbox, phone, mode="redirect", imp_code="")
    return answers


def test_no_window_answer_is_kept_by_a_cache(sandbox):
    """A window the browser kept could come back live on Back; a result, or a receipt, would
    show one buyer's payment to the next user of the browser."""
    answers = window_answers(sandbox)
    statuses = {name: answer.status_code for name, answer in answers.items()}
    assert set(statuses.values()) == {200, 303, 400, 403, 404}, statuses
    assert {
        name: answer.headers.get("Cache-Control") for name, answer in answers.items()
    } == dict.fromkeys(answers, "no-store")


def test_the_window_names_the_merchant_by_its_setting(sandbox, monkeypatch):
    monkeypatch.setitem(sandbox.app.config, "SANDBOX_MERCHANT_NAME", "Soso Market")
    page = open_window(sandbox, {**ORDER, "name": "녹차 외 1건"}).text
    assert re.search(r"<dt>가맹점</dt><dd[^>]*>Soso Market</dd>", page), page
    assert "녹차 외 1건" in page
    assert "imp00000000" not in page


def test_without_a_merchant_name_the_window_names_the_request(sandbox):
    billing = {**ORDER, "name": "월간 원두 구독", "amount": 0, "customer_uid": "cu_named"}
    page = open_window(sandbox, billing).text
    assert "imp00000000" not in page
    assert "가맹점" not in page.split('class="summary"')[1].split("</dl>")[0]
    assert "recurring charges for 월간 원두 구독." in " ".join(page.split())


def test_the_receipt_names_the_merchant_by_its_setting(sandbox, monkeypatch):
    monkeypatch.setitem(sandbox.app.config, "SANDBOX_MERCHANT_NAME", "Soso Market")
    imp_uid, key = opened(sandbox, ORDER)
    decide(sandbox, imp_uid, key, "approve")
    receipt = requests.get(f"{sandbox.url}/receipts/{imp_uid}", timeout=5).text
    assert "Soso Market" in receipt
    assert "imp00000000" not in receipt


def test_the_windows_secret_stays_out_of_urls_and_access_logs(sandbox, caplog):
    caplog.set_level(logging.INFO, logger="werkzeug")
    # As a browser does: follow wherever the window sends it, then approve.
    form = {
        "imp_code": "imp00000000",
        "params": json.dumps(ORDER),
        "origin": MERCHANT,
        "mode": "overlay",
        "request_id": "0123456789abcdef",
    }
    page = requests.post(f"{sandbox.url}/window/open", data=form, timeout=5)
    imp_uid, key = window_of(page.text)
    assert rsp_of(decide(sandbox, imp_uid, key, "approve"))["success"] is True

    assert all(key not in response.url for response in [*page.history, page])
    logged = [record.getMessage() for record in caplog.records if record.name == "werkzeug"]
    assert any("/window/open" in line for line in logged)
    assert not [line for line in logged if key in line]


def test_two_windows_for_one_order_pay_once(sandbox, api):
    first, first_key = opened(sandbox, ORDER)
    second, second_key = opened(sandbox, ORDER)
    decide(sandbox, first, first_key, "approve")
    rsp = rsp_of(decide(sandbox, second, second_key, "approve"))

    assert (rsp["success"], rsp["imp_uid"], rsp["error_code"]) == (False, second, "F1002")
    assert api.payment(second)["status"] == "failed"
    assert api.payment(first)["status"] == "paid"


def test_custom_data_and_buyer_are_kept(sandbox, api):
    order = {**ORDER, "custom_data": {"plan": "월간", "n": 1}, "buyer_tel": 1012345678}
    imp_uid, key = opened(sandbox, order)
    rsp = rsp_of(decide(sandbox, imp_uid, key, "approve"))

    assert rsp["custom_data"] == {"plan": "월간", "n": 1}
    payment = api.payment(imp_uid)
    assert json.loads(payment["custom_data"]) == {"plan": "월간", "n": 1}
    assert payment["buyer_tel"] == "1012345678"


def test_reissuing_a_billing_key_replaces_it(sandbox, api):
    billing = {"pg": "kakaopay", "name": "Plan", "amount": 0, "customer_uid": "cu_1"}
    imp_uid, key = opened(sandbox, {**billing, "merchant_uid": "issue_1", "buyer_name": "Kim"})
    decide(sandbox, imp_uid, key, "approve")
    before = api.call("GET", "/subscribe/customers/cu_1")["response"]
    control("POST", f"{sandbox.url}/_sandbox/clock/advance", json={"seconds": 60}, timeout=5)
    imp_uid, key = opened(sandbox, {**billing, "merchant_uid": "issue_2", "buyer_name": "Lee"})
    decide(sandbox, imp_uid, key, "approve", pay_with="card")
    after = api.call("GET", "/subscribe/customers/cu_1")["response"]

    assert before["card_name"] is None
    assert after["card_name"]
    assert after["customer_name"] == "Lee"
    assert after["inserted"] == before["inserted"]
    assert after["updated"] > before["updated"]


def test_billing_key_with_a_first_charge(sandbox, api):
    order = {**ORDER, "merchant_uid": "first_charge", "amount": 5000, "customer_uid": "cu_2"}
    imp_uid, key = opened(sandbox, order)
    rsp = rsp_of(decide(sandbox, imp_uid, key, "approve", pay_with="card"))

    assert (rsp["success"], rsp["paid_amount"], rsp["customer_uid"]) == (True, 5000, "cu_2")
    payment = api.payment(imp_uid)
    assert (payment["amount"], payment["pg_id"], payment["customer_uid_usage"]) == (
        5000,
        "TCSUBSCRIP",
        "issue",
    )
    customer = api.call("GET", "/subscribe/customers/cu_2")["response"]
    assert customer["card_number"] == payment["card_number"]


def test_declined_billing_key_is_not_issued(sandbox, api):
    order = {**ORDER, "merchant_uid": "no_key", "amount": 0, "customer_uid": "cu_3"}
    imp_uid, key = opened(sandbox, order)
    decide(sandbox, imp_uid, key, "decline", decline_charges="on")

    assert api.payment(imp_uid)["status"] == "failed"
    assert api.call("GET", "/subscribe/customers/cu_3")["status"] == 404


def test_phone_decision_redirects_keeping_the_query(sandbox):
    order = {**ORDER, "m_redirect_url": "https://shop.example/done?order=7#top"}
    imp_uid, key = opened(sandbox, order, mode="redirect")
    response = decide(sandbox, imp_uid, key, "decline")

    assert response.status_code == 303
    location = urlsplit(response.headers["Location"])
    assert (location.netloc, location.path, location.fragment) == ("shop.example", "/done", "top")
    query = parse_qs(location.query)
    assert query["order"] == ["7"]
    assert query["imp_uid"] == [imp_uid]
    assert query["imp_success"] == ["false"]
    assert query["error_code"] == ["F0002"]


def test_refusals_are_escaped(sandbox):
    response = open_window(sandbox, ORDER, imp_code="</script><script>alert(1)</script>")
    assert response.status_code == 200
    assert "<script>alert(1)" not in response.text
    assert rsp_of(response)["error_code"] == "F401"


def test_order_names_are_escaped(sandbox):
    page = open_window(sandbox, {**ORDER, "name": "<img src=x onerror=alert(1)>"}).text
    assert "<img src=x" not in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({**ORDER, "amount": 14000.5}, "F400"),
        ({**ORDER, "amount": -1}, "F400"),
        ({**ORDER, "amount": 0}, "F400"),
        ({**ORDER, "amount": True}, "F400"),
        ({**ORDER, "name": {"a": 1}}, "F400"),
        ({**ORDER, "notice_url": "javascript:alert(1)"}, "F400"),
        ({**ORDER, "notice_url": ["https://a.example/hook", 5]}, "F400"),
        ({**ORDER, "currency": "USD"}, "F400"),
        ({**ORDER, "pg": "kakaopay.TC0ONETIME", "customer_uid": "c", "amount": 0}, "F400"),
        ({**ORDER, "pg": "kakaopay.NOPE"}, "F400"),
        ({**ORDER, "pg": ["kakaopay"]}, "F400"),
        ({**ORDER, "merchant_uid": 12345}, "F400"),
    ],
)
def test_bad_parameters_are_refused_to_the_page(sandbox, api, params, code):
    response = open_window(sandbox, params)
    assert response.status_code == 200
    assert rsp_of(response)["error_code"] == code
    assert api.call("GET", "/payments/status/all")["response"]["total"] == 0


@pytest.mark.parametrize(
    ("params", "fields"),
    [
        ("not json", {}),
        ("[1, 2]", {}),
        (ORDER, {"origin": "null"}),
        (ORDER, {"origin": "https://" + "a" * 300}),
        (ORDER, {"mode": "popup"}),
        (ORDER, {"request_id": "<x>"}),
        ({**ORDER, "m_redirect_url": "javascript:alert(1)"}, {"mode": "redirect"}),
    ],
)
def test_garbage_gets_a_400_page(sandbox, params, fields):
    response = open_window(sandbox, params, **fields)
    assert response.status_code == 400
    assert "결제창을 열 수 없습니다" in response.text


def test_unknown_windows_and_decisions(sandbox):
    imp_uid, key = opened(sandbox, ORDER)
    assert decide(sandbox, imp_uid, key, "maybe").status_code == 400
    assert decide(sandbox, "imp_000000000000", key, "approve").status_code == 404
    assert requests.get(f"{sandbox.url}/receipts/{imp_uid}", timeout=5).status_code == 404


def test_the_sdk_loads_from_anywhere(sandbox):
    response = requests.get(f"{sandbox.url}/v1/iamport.js", timeout=5)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/javascript")
    assert response.headers["Cross-Origin-Resource-Policy"] == "cross-origin"
    assert "request_pay" in response.text


def test_a_key_from_the_window_through_its_life(sandbox, api):
    """A Kakao Pay billing key as a shop uses it: saved in the window with amount 0, charged with
    ``again``, replaced by a second window that ticks "Decline later charges" (the next charge
    fails), then deleted, which refuses charges and revokes its schedules."""
    billing = {"pg": "kakaopay", "name": "Plan", "amount": 0, "customer_uid": "cu_life"}
    imp_uid, key = opened(sandbox, {**billing, "merchant_uid": "issue_life_1"})
    decide(sandbox, imp_uid, key, "approve")

    def again(merchant_uid: str) -> dict:
        body = {"customer_uid": "cu_life", "merchant_uid": merchant_uid, "amount": 9900}
        return api.call("POST", "/subscribe/payments/again", json={**body, "name": "Plan"})

    paid = again("again_life_1")["response"]
    assert (paid["status"], paid["pay_method"], paid["customer_uid_usage"]) == (
        "paid",
        "point",
        "payment",
    )

    imp_uid, key = opened(sandbox, {**billing, "merchant_uid": "issue_life_2"})
    decide(sandbox, imp_uid, key, "approve", pay_with="card", decline_charges="on")
    declined = again("again_life_2")
    assert declined["code"] == 0
    assert (declined["response"]["status"], declined["response"]["pay_method"]) == (
        "failed",
        "card",
    )
    assert declined["response"]["fail_reason"]

    now = control("GET", f"{sandbox.url}/_sandbox/clock", timeout=5).json()["now"]
    entry = {"merchant_uid": "renewal_life", "schedule_at": now + 86400, "amount": 9900}
    booked = api.call(
        "POST",
        "/subscribe/payments/schedule",
        json={"customer_uid": "cu_life", "schedules": [{**entry, "name": "Plan"}]},
    )
    assert booked["code"] == 0, booked
    deleted = api.call("DELETE", "/subscribe/customers/cu_life")
    assert (deleted["code"], deleted["response"]["customer_uid"]) == (0, "cu_life")
    assert (
        again("again_life_3")["code"],
        api.call("GET", "/subscribe/customers/cu_life")["status"],
    ) == (
        -1,
        404,
    )
    revoked = api.call("GET", "/subscribe/payments/schedule/renewal_life")["response"]
    assert revoked["schedule_status"] == "revoked"
