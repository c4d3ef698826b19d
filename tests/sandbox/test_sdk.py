"""iamport.js and the Kakao Pay window in a real browser: a merchant page on another origin runs
PortOne's Kakao Pay guide snippets, a person decides in the window, and the outcome is checked
through the REST API, as a merchant's server would check it."""

import re
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
import requests
from playwright.sync_api import expect
from werkzeug.middleware.dispatcher import DispatcherMiddleware

import portone_sandbox as sandbox_pkg
from tests.sandbox.merchant_site import PortOneApi, create_app
from tests.servers import LiveServer

IMP_UID = re.compile(r"imp_\d{12}")
CANCELLED = "사용자가 결제를 취소하셨습니다"


@pytest.fixture(scope="session")
def merchant_server(sandbox_server):
    """The merchant site, on its own port: another origin than the sandbox."""
    server = LiveServer(create_app(sandbox_server.url)).start()
    yield server
    server.stop()


@pytest.fixture
def api(sandbox):
    return PortOneApi(sandbox.url)


@pytest.fixture
def shop(page, merchant_server, sandbox):
    """Opens the merchant page for an order (and, in ``query``, a customer_uid or imp_code)."""

    def open_page(merchant_uid="order_no_0001", **query):
        page.goto(f"{merchant_server.url}/?{urlencode({'merchant_uid': merchant_uid, **query})}")
        return page

    return open_page


def kakao_pay(page):
    """The approval window laid over the merchant page."""
    return page.frame_locator('iframe[title="Kakao Pay"]')


def callback_rsp(page) -> dict:
    page.wait_for_function("window.__rsp !== undefined")
    return page.evaluate("window.__rsp")


def test_approve_with_kakaomoney(shop, api, sandbox):
    page = shop("order_no_0001")
    page.get_by_role("button", name="Pay 14,000원").click()
    window = kakao_pay(page)
    expect(window.get_by_text("14,000원")).to_be_visible()
    expect(window.get_by_text("Order name: Test payment")).to_be_visible()
    expect(window.get_by_role("radio", name="KakaoMoney")).to_be_checked()
    expect(window.get_by_label("Decline later charges")).to_have_count(0)
    window.get_by_role("button", name="Approve").click()

    rsp = callback_rsp(page)
    assert rsp["success"] is True
    assert IMP_UID.fullmatch(rsp["imp_uid"])
    assert rsp["merchant_uid"] == "order_no_0001"
    assert rsp["paid_amount"] == 14000
    assert rsp["pay_method"] == "point"
    assert rsp["pg_provider"] == "kakaopay"
    expect(page.locator("iframe")).to_have_count(0)

    payment = api.payment(rsp["imp_uid"])
    assert payment["status"] == "paid"
    assert payment["amount"] == 14000
    assert payment["pay_method"] == "point"
    assert payment["channel"] == "pc"
    assert payment["pg_id"] == "TC0ONETIME"
    assert payment["pg_tid"] == rsp["pg_tid"]
    assert payment["buyer_name"] == "Customer name"
    assert payment["paid_at"] > 0
    assert requests.get(payment["receipt_url"], timeout=5).status_code == 200


def test_approve_with_card(shop, api):
    page = shop("order_card_0001")
    page.get_by_role("button", name="Pay 14,000원").click()
    window = kakao_pay(page)
    window.get_by_role("group", name="Pay with").get_by_label("Card").check()
    window.get_by_role("button", name="Approve").click()

    rsp = callback_rsp(page)
    assert rsp["success"] is True
    assert rsp["pay_method"] == "card"
    payment = api.payment(rsp["imp_uid"])
    assert payment["pay_method"] == "card"
    assert payment["card_name"].endswith("카드")
    assert re.fullmatch(r"\d{6}\*{6}\d{4}", payment["card_number"])
    assert payment["card_name"] == rsp["card_name"]


def test_decline(shop, api):
    page = shop("order_declined")
    page.get_by_role("button", name="Pay 14,000원").click()
    kakao_pay(page).get_by_role("button", name="Decline").click()

    rsp = callback_rsp(page)
    assert rsp["success"] is False
    assert rsp["error_code"] == "F0002"
    assert IMP_UID.fullmatch(rsp["imp_uid"])
    payment = api.payment(rsp["imp_uid"])
    assert payment["status"] == "failed"
    assert payment["failed_at"] > 0
    assert payment["fail_reason"] == rsp["error_msg"]


def test_cancel(shop, api):
    page = shop("order_cancelled")
    page.get_by_role("button", name="Pay 14,000원").click()
    kakao_pay(page).get_by_role("button", name="Cancel").click()

    rsp = callback_rsp(page)
    assert rsp["success"] is False
    assert rsp["error_msg"] == CANCELLED
    assert rsp["error_code"] == "F0001"
    payment = api.payment(rsp["imp_uid"])
    assert payment["status"] == "failed"
    assert payment["fail_reason"] == CANCELLED


BUYER_FIELDS = ("buyer_name", "buyer_email", "buyer_tel", "buyer_addr", "buyer_postcode")


def test_a_kakaomoney_rsp_has_the_fields_of_portones_current_sdk(shop, api):
    """As a Kakao Pay result captured from PortOne's SDK in 2024: ``success``, and for KakaoMoney
    ``apply_num``, ``card_number`` and the buyer fields the page left out as empty strings."""
    page = shop("order_rsp_point")
    order = {"pg": "kakaopay", "merchant_uid": "order_rsp_point", "name": "Tea", "amount": 3000}
    page.evaluate("params => window.payWith(params)", {**order, "buyer_name": "홍길동"})
    kakao_pay(page).get_by_role("button", name="Approve").click()

    rsp = callback_rsp(page)
    assert (rsp["success"], rsp["imp_success"], rsp["pay_method"]) == (True, True, "point")
    assert (rsp["apply_num"], rsp["card_number"]) == ("", "")
    assert [rsp[field] for field in BUYER_FIELDS] == ["홍길동", "", "", "", ""]
    payment = api.payment(rsp["imp_uid"])
    assert (payment["apply_num"], payment["card_number"], payment["buyer_email"]) == (
        None,
        None,
        None,
    )


def test_a_card_rsp_has_the_approval_and_the_masked_number(shop, api):
    page = shop("order_rsp_card")
    order = {"pg": "kakaopay", "merchant_uid": "order_rsp_card", "name": "Tea", "amount": 3000}
    page.evaluate("params => window.payWith(params)", order)
    window = kakao_pay(page)
    window.get_by_role("group", name="Pay with").get_by_label("Card").check()
    window.get_by_role("button", name="Approve").click()

    rsp = callback_rsp(page)
    assert (rsp["success"], rsp["imp_success"], rsp["pay_method"]) == (True, True, "card")
    assert re.fullmatch(r"\d{8}", rsp["apply_num"])
    assert re.fullmatch(r"\d{6}\*{6}\d{4}", rsp["card_number"])
    assert [rsp[field] for field in BUYER_FIELDS] == ["", "", "", "", ""]
    payment = api.payment(rsp["imp_uid"])
    assert (payment["apply_num"], payment["card_number"]) == (rsp["apply_num"], rsp["card_number"])


def test_webhook_only_for_approval(shop, merchant_server, sandbox, webhook_log):
    page = shop("order_hooked")
    notice = f"{merchant_server.url}/complete"
    pay = {"pg": "kakaopay", "merchant_uid": "order_hooked", "name": "Hooked", "amount": 5000}
    page.evaluate("params => window.payWith(params)", {**pay, "notice_url": notice})
    kakao_pay(page).get_by_role("button", name="Decline").click()
    declined = callback_rsp(page)
    page.evaluate("window.__rsp = undefined")
    page.evaluate("params => window.payWith(params)", {**pay, "notice_url": [notice]})
    kakao_pay(page).get_by_role("button", name="Approve").click()
    approved = callback_rsp(page)

    log = webhook_log(wait_for=1)
    assert [(d["imp_uid"], d["status"], d["url"]) for d in log["deliveries"]] == [
        (approved["imp_uid"], "paid", notice)
    ]
    assert declined["imp_uid"] != approved["imp_uid"]


def test_billing_key_issue(shop, api):
    page = shop("issue_billingkey_monthly_0001", customer_uid="gildong_0001_1234")
    alerts = []
    page.on("dialog", lambda dialog: (alerts.append(dialog.message), dialog.accept()))
    page.get_by_role("button", name="Register Kakao Pay").click()
    window = kakao_pay(page)
    expect(window.get_by_text("registers Kakao Pay for recurring charges")).to_be_visible()
    expect(window.get_by_text("0원", exact=True)).to_be_visible()
    expect(window.get_by_label("Decline later charges")).not_to_be_checked()
    window.get_by_role("button", name="Approve").click()

    rsp = callback_rsp(page)
    assert rsp["success"] is True
    assert rsp["customer_uid"] == "gildong_0001_1234"
    assert alerts == ["Success"]
    customer = api.call("GET", "/subscribe/customers/gildong_0001_1234")
    assert customer["code"] == 0
    assert customer["response"]["pg_provider"] == "kakaopay"
    assert customer["response"]["pg_id"] == "TCSUBSCRIP"
    assert customer["response"]["customer_name"] == "John Doe"
    assert customer["response"]["customer_email"] == "johndoe@gmail.com"
    payment = api.payment(rsp["imp_uid"])
    assert (payment["status"], payment["amount"]) == ("paid", 0)
    assert payment["customer_uid_usage"] == "issue"


def test_billing_key_declining_later_charges(shop, api):
    page = shop("issue_declining", customer_uid="gildong_0002")
    page.get_by_role("button", name="Register Kakao Pay").click()
    window = kakao_pay(page)
    window.get_by_label("Card").check()
    window.get_by_label("Decline later charges").check()
    window.get_by_role("button", name="Approve").click()
    assert callback_rsp(page)["success"] is True

    customer = api.call("GET", "/subscribe/customers/gildong_0002")["response"]
    assert customer["card_name"].endswith("카드")
    charge = api.call(
        "POST",
        "/subscribe/payments/again",
        json={
            "customer_uid": "gildong_0002",
            "merchant_uid": "again_0001",
            "amount": 9900,
            "name": "Monthly plan",
        },
    )
    assert charge["code"] == 0
    assert charge["response"]["status"] == "failed"
    assert charge["response"]["fail_reason"]


@pytest.mark.parametrize(
    ("query", "params", "code", "message"),
    [
        ({}, {"merchant_uid": "bad_amount", "amount": "14000"}, "F400", "amount는 문자열이 아닌"),
        ({}, {"amount": 14000, "name": "No order id"}, "F400", "merchant_uid는 필수"),
        ({"imp_code": ""}, {"merchant_uid": "no_init", "amount": 14000}, "F401", "IMP.init()"),
        ({"imp_code": "imp99999999"}, {"merchant_uid": "who", "amount": 1000}, "F401", "가맹점"),
        ({}, {"merchant_uid": "x" * 41, "amount": 1000}, "F400", "40자"),
        ({}, {"merchant_uid": "pg", "amount": 1000, "pg": "html5_inicis"}, "F400", "PG"),
    ],
    ids=["string-amount", "no-merchant-uid", "no-init", "unknown-code", "long-uid", "other-pg"],
)
def test_refused_requests_never_open_the_window(shop, api, query, params, code, message):
    page = shop("unused", **query)
    windows = []
    page.on("framenavigated", lambda frame: windows.append(frame.url))
    page.evaluate("params => window.payWith(params)", {"pg": "kakaopay", **params})

    rsp = callback_rsp(page)
    assert (rsp["success"], rsp["imp_uid"], rsp["error_code"]) == (False, None, code)
    assert message in rsp["error_msg"]
    assert not [url for url in windows if "/window/imp_" in url]
    expect(page.locator("iframe")).to_have_count(0)
    assert api.call("GET", "/payments/status/all")["response"]["total"] == 0


def test_prepared_amount_differs(shop, api):
    prepared = api.call(
        "POST", "/payments/prepare", json={"merchant_uid": "order_p", "amount": 9000}
    )
    assert prepared["code"] == 0
    page = shop("order_p")
    windows = []
    page.on("framenavigated", lambda frame: windows.append(frame.url))
    page.get_by_role("button", name="Pay 14,000원").click()

    rsp = callback_rsp(page)
    assert (rsp["success"], rsp["imp_uid"], rsp["error_code"]) == (False, None, "F1003")
    assert "9,000원" in rsp["error_msg"]
    assert not [url for url in windows if "/window/imp_" in url]
    assert api.call("GET", "/payments/find/order_p")["status"] == 404


def test_paid_merchant_uid_cannot_be_paid_again(shop, api):
    page = shop("order_twice")
    page.get_by_role("button", name="Pay 14,000원").click()
    kakao_pay(page).get_by_role("button", name="Approve").click()
    first = callback_rsp(page)
    page.evaluate("window.__rsp = undefined")
    page.get_by_role("button", name="Pay 14,000원").click()

    rsp = callback_rsp(page)
    assert rsp == {
        "success": False,
        "imp_success": False,
        "imp_uid": None,
        "merchant_uid": "order_twice",
        "error_code": "F1002",
        "error_msg": "이미 결제가 이루어진 거래건입니다.",
    }
    found = api.call("GET", "/payments/findAll/order_twice")["response"]
    assert [p["imp_uid"] for p in found["list"]] == [first["imp_uid"]]


@pytest.fixture(params=["iPhone 13", "Pixel 7"])
def phone(request, browser, playwright, merchant_server, sandbox):
    """A page in a phone's browser (Playwright's device emulation)."""
    context = browser.new_context(**playwright.devices[request.param])
    yield context.new_page()
    context.close()


def redirect_query(page, merchant_server) -> dict:
    page.wait_for_url(f"{merchant_server.url}/complete?**")
    return {name: values[0] for name, values in parse_qs(urlsplit(page.url).query).items()}


def test_phone_approve_redirects_to_m_redirect_url(phone, merchant_server, api):
    phone.goto(f"{merchant_server.url}/?merchant_uid=order_phone")
    phone.get_by_role("button", name="Pay 14,000원").click()
    expect(phone.get_by_text("14,000원")).to_be_visible()
    phone.get_by_role("button", name="Approve").click()

    query = redirect_query(phone, merchant_server)
    assert query["shop"] == "test"
    assert query["merchant_uid"] == "order_phone"
    assert query["imp_success"] == "true"
    assert "error_code" not in query
    payment = api.payment(query["imp_uid"])
    assert (payment["status"], payment["channel"]) == ("paid", "mobile")


def test_phone_cancel_redirects_with_error(phone, merchant_server, api):
    phone.goto(f"{merchant_server.url}/?merchant_uid=order_phone_cancel")
    phone.get_by_role("button", name="Pay 14,000원").click()
    phone.get_by_role("button", name="Cancel").click()

    query = redirect_query(phone, merchant_server)
    assert query["imp_success"] == "false"
    assert query["error_code"] == "F0001"
    assert query["error_msg"] == CANCELLED
    assert api.payment(query["imp_uid"])["status"] == "failed"


def test_phone_refusal_redirects_without_imp_uid(phone, merchant_server, api):
    api.call("POST", "/payments/prepare", json={"merchant_uid": "order_phone_p", "amount": 1})
    phone.goto(f"{merchant_server.url}/?merchant_uid=order_phone_p")
    phone.get_by_role("button", name="Pay 14,000원").click()

    query = redirect_query(phone, merchant_server)
    assert "imp_uid" not in query
    assert (query["imp_success"], query["error_code"]) == ("false", "F1003")


def test_phone_without_m_redirect_url_uses_the_callback(phone, merchant_server, api):
    phone.goto(merchant_server.url)
    phone.evaluate(
        "params => window.payWith(params)",
        {"pg": "kakaopay", "merchant_uid": "order_phone_cb", "name": "No redirect", "amount": 3000},
    )
    kakao_pay(phone).get_by_role("button", name="Approve").click()

    rsp = callback_rsp(phone)
    assert rsp["success"] is True
    assert api.payment(rsp["imp_uid"])["channel"] == "mobile"


def test_closing_the_window_cancels(shop, api):
    page = shop("order_closed")
    page.get_by_role("button", name="Pay 14,000원").click()
    kakao_pay(page).get_by_role("button", name="Close").click()

    rsp = callback_rsp(page)
    assert (rsp["error_code"], rsp["error_msg"]) == ("F0001", CANCELLED)
    assert api.payment(rsp["imp_uid"])["status"] == "failed"


def test_one_window_at_a_time(shop, api):
    page = shop("order_busy")
    page.get_by_role("button", name="Pay 14,000원").click()
    expect(kakao_pay(page).get_by_role("button", name="Approve")).to_be_visible()
    page.evaluate("params => window.payWith(params)", {"merchant_uid": "other", "amount": 100})
    assert callback_rsp(page)["error_code"] == "F1004"
    page.evaluate("window.__rsp = undefined")
    kakao_pay(page).get_by_role("button", name="Approve").click()

    assert callback_rsp(page)["merchant_uid"] == "order_busy"


@pytest.fixture(scope="module")
def mounted(tmp_path_factory):
    """A merchant that mounts the sandbox under its own path and loads the SDK by a relative URL,
    as the shop does."""
    database = tmp_path_factory.mktemp("mounted") / "sandbox.sqlite3"
    sandbox_app = sandbox_pkg.create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{database}"})
    app = DispatcherMiddleware(create_app("/portone-sandbox"), {"/portone-sandbox": sandbox_app})
    server = LiveServer(app).start()
    yield server
    server.stop()


def test_sdk_works_mounted_under_a_prefix(page, mounted):
    page.goto(f"{mounted.url}/?merchant_uid=order_mounted")
    page.get_by_role("button", name="Pay 14,000원").click()
    kakao_pay(page).get_by_role("button", name="Approve").click()

    rsp = callback_rsp(page)
    assert rsp["success"] is True
    assert rsp["receipt_url"].startswith(f"{mounted.url}/portone-sandbox/receipts/")
    api = PortOneApi(f"{mounted.url}/portone-sandbox")
    assert api.payment(rsp["imp_uid"])["status"] == "paid"
