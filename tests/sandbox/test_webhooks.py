"""Webhooks: when they are sent, their body and content type, where they go, retries, the
delivery log, and a reset while one is in flight."""

import socket

import pytest

from tests.sandbox.contract import new_merchant_uid, ok, refused
from tests.sandbox_controls import control


@pytest.fixture
def customer(seed_key):
    return seed_key("customer_1")


def again(api, customer_uid, **fields):
    body = {
        "customer_uid": customer_uid,
        "merchant_uid": new_merchant_uid(),
        "amount": 9900,
        "name": "정기결제",
        **fields,
    }
    return ok(api.post("/subscribe/payments/again", json=body))


def test_a_paid_again_charge_notifies_its_notice_url(api, customer, receiver, webhook_log):
    paid = again(api, customer, notice_url=receiver.url)
    [hook] = receiver.wait_for(1)
    assert hook["path"] == "/portone-webhook"
    assert hook["content_type"] == "application/json"
    assert hook["json"] == {
        "imp_uid": paid["imp_uid"],
        "merchant_uid": paid["merchant_uid"],
        "status": "paid",
    }
    log = webhook_log(wait_for=1)
    assert log["settled"]
    [delivery] = log["deliveries"]
    assert (delivery["url"], delivery["result"]) == (receiver.url, "delivered")
    assert (delivery["attempts"], delivery["http_status"], delivery["error"]) == (1, 200, None)
    assert delivery["body"] == hook["json"]
    assert delivery["delivered_at"] >= delivery["created_at"] > 0


def test_the_response_does_not_wait_for_the_webhook(
    api, customer, receiver, held_answers, webhook_log
):
    paid = again(api, customer, notice_url=receiver.url)
    receiver.wait_for(1)
    [delivery] = webhook_log()["deliveries"]
    assert (delivery["imp_uid"], delivery["result"]) == (paid["imp_uid"], "pending")
    receiver.open.set()
    assert webhook_log(wait_for=1)["deliveries"][0]["result"] == "delivered"


def test_form_content_type_by_config(api, customer, receiver, sandbox, monkeypatch):
    monkeypatch.setitem(sandbox.app.config, "SANDBOX_WEBHOOK_CONTENT_TYPE", "form")
    paid = again(api, customer, notice_url=receiver.url)
    [hook] = receiver.wait_for(1)
    assert hook["content_type"] == "application/x-www-form-urlencoded"
    assert hook["form"] == {
        "imp_uid": paid["imp_uid"],
        "merchant_uid": paid["merchant_uid"],
        "status": "paid",
    }


def test_without_notice_url_the_console_url_is_used(api, customer, receiver, sandbox, monkeypatch):
    monkeypatch.setitem(sandbox.app.config, "SANDBOX_WEBHOOK_URL", receiver.url)
    paid = again(api, customer)
    assert receiver.wait_for(1)[0]["json"]["imp_uid"] == paid["imp_uid"]


def test_without_any_url_nothing_is_sent(api, customer, webhook_log):
    again(api, customer)
    assert webhook_log()["deliveries"] == []


def test_every_notice_url_is_notified(api, customer, receiver, webhook_log):
    again(api, customer, notice_url=[receiver.url, receiver.url + "/second"])
    paths = sorted(hook["path"] for hook in receiver.wait_for(2))
    assert paths == ["/portone-webhook", "/portone-webhook/second"]
    assert len(webhook_log(wait_for=2)["deliveries"]) == 2


def test_a_declined_again_charge_sends_nothing(api, seed_key, receiver, webhook_log):
    failed = again(api, seed_key("customer_2", decline_charges=True), notice_url=receiver.url)
    assert failed["status"] == "failed"
    assert webhook_log()["deliveries"] == []


@pytest.mark.parametrize("enable_webhook", [None, False, "false", "0"])
def test_an_api_cancel_sends_nothing_by_default(
    api, customer, receiver, webhook_log, enable_webhook
):
    paid = again(api, customer, notice_url=receiver.url)
    receiver.wait_for(1)
    body = {"imp_uid": paid["imp_uid"]}
    if enable_webhook is not None:
        body["enable_webhook"] = enable_webhook
    ok(api.post("/payments/cancel", data=body))
    log = webhook_log(wait_for=1)
    assert [d["status"] for d in log["deliveries"]] == ["paid"]
    assert len(receiver.received) == 1


@pytest.mark.parametrize(
    ("send", "enable_webhook"), [("json", True), ("data", "true"), ("data", "1")]
)
def test_an_api_cancel_with_enable_webhook_notifies(
    api, customer, receiver, webhook_log, send, enable_webhook
):
    paid = again(api, customer, notice_url=receiver.url)
    body = {"imp_uid": paid["imp_uid"], "amount": 1000, "enable_webhook": enable_webhook}
    refunded = ok(api.post("/payments/cancel", **{send: body}))
    hooks = receiver.wait_for(2)
    [cancel_hook] = [hook["json"] for hook in hooks if hook["json"]["status"] == "cancelled"]
    assert cancel_hook == {
        "imp_uid": paid["imp_uid"],
        "merchant_uid": paid["merchant_uid"],
        "status": "cancelled",
        "cancellation_id": refunded["cancel_history"][0]["cancellation_id"],
    }
    assert webhook_log(wait_for=2)["settled"]


def test_a_console_cancel_always_notifies(sandbox, api, customer, receiver, webhook_log):
    paid = again(api, customer, notice_url=receiver.url)
    response = control(
        "POST", f"{sandbox.url}/_sandbox/payments/{paid['imp_uid']}/cancel", json={}, timeout=5
    )
    cancelled = ok(response)
    assert (cancelled["status"], cancelled["cancel_amount"]) == ("cancelled", 9900)
    hooks = receiver.wait_for(2)
    [cancel_hook] = [hook["json"] for hook in hooks if hook["json"]["status"] == "cancelled"]
    assert cancel_hook["cancellation_id"] == cancelled["cancel_history"][0]["cancellation_id"]
    assert webhook_log(wait_for=2)["settled"]


def test_a_failing_receiver_is_retried_when_retries_are_on(
    api, customer, receiver, sandbox, monkeypatch, webhook_log
):
    monkeypatch.setitem(sandbox.app.config, "SANDBOX_WEBHOOK_RETRY", True)
    monkeypatch.setitem(sandbox.app.config, "SANDBOX_WEBHOOK_RETRY_INTERVAL", 0.05)
    receiver.statuses = [500] * 10
    again(api, customer, notice_url=receiver.url)
    [delivery] = webhook_log(wait_for=1)["deliveries"]
    assert (delivery["result"], delivery["attempts"], delivery["http_status"]) == ("failed", 6, 500)
    assert len(receiver.wait_for(6)) == 6


def test_a_retry_that_succeeds_is_delivered(
    api, customer, receiver, sandbox, monkeypatch, webhook_log
):
    monkeypatch.setitem(sandbox.app.config, "SANDBOX_WEBHOOK_RETRY", True)
    monkeypatch.setitem(sandbox.app.config, "SANDBOX_WEBHOOK_RETRY_INTERVAL", 0.05)
    receiver.statuses = [503, 502]
    again(api, customer, notice_url=receiver.url)
    [delivery] = webhook_log(wait_for=1)["deliveries"]
    assert (delivery["result"], delivery["attempts"], delivery["http_status"]) == (
        "delivered",
        3,
        200,
    )


def test_without_retries_a_5xx_is_final(api, customer, receiver, webhook_log):
    receiver.statuses = [500]
    again(api, customer, notice_url=receiver.url)
    [delivery] = webhook_log(wait_for=1)["deliveries"]
    assert (delivery["result"], delivery["attempts"], delivery["http_status"]) == ("failed", 1, 500)


def test_a_4xx_is_not_retried(api, customer, receiver, sandbox, monkeypatch, webhook_log):
    monkeypatch.setitem(sandbox.app.config, "SANDBOX_WEBHOOK_RETRY", True)
    receiver.statuses = [404]
    again(api, customer, notice_url=receiver.url)
    [delivery] = webhook_log(wait_for=1)["deliveries"]
    assert (delivery["result"], delivery["attempts"], delivery["http_status"]) == ("failed", 1, 404)


def test_an_unreachable_url_is_recorded(api, customer, webhook_log):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    again(api, customer, notice_url=f"http://127.0.0.1:{port}/webhook")
    [delivery] = webhook_log(wait_for=1)["deliveries"]
    assert (delivery["result"], delivery["attempts"], delivery["http_status"]) == (
        "failed",
        1,
        None,
    )
    assert "ConnectionError" in delivery["error"]


def test_a_reset_during_a_delivery_leaves_no_stale_row(
    sandbox, api, customer, receiver, held_answers, webhook_log
):
    again(api, customer, notice_url=receiver.url)
    receiver.wait_for(1)
    control("POST", f"{sandbox.url}/_sandbox/reset", timeout=5).raise_for_status()
    api.renew()
    log = control("GET", f"{sandbox.url}/_sandbox/webhooks", timeout=5).json()
    assert (log["deliveries"], log["in_flight"]) == ([], 1)
    receiver.open.set()
    idle = webhook_log(idle="true")
    assert (idle["settled"], idle["in_flight"], idle["deliveries"]) == (True, 0, [])


def test_waiting_for_more_deliveries_than_come_times_out(webhook_log):
    log = webhook_log(wait_for=1, timeout=0)
    assert (log["settled"], log["deliveries"]) == (False, [])


@pytest.mark.parametrize("params", [{"wait_for": "x"}, {"timeout": "-1"}, {"idle": "sometimes"}])
def test_bad_wait_parameters_are_400(sandbox, params):
    response = control("GET", f"{sandbox.url}/_sandbox/webhooks", params=params, timeout=5)
    assert response.status_code == 400


def test_the_standalone_sandbox_notifies_any_url_as_portone_does(sandbox, api, customer, receiver):
    assert sandbox.app.config["SANDBOX_WEBHOOK_ALLOWED_URLS"] is None
    paid = again(api, customer, notice_url=f"{receiver.url}/anywhere")
    assert receiver.wait_for(1)[0]["json"]["imp_uid"] == paid["imp_uid"]


def test_an_allow_list_refuses_every_other_notice_url(
    sandbox, api, customer, receiver, monkeypatch, webhook_log
):
    monkeypatch.setitem(sandbox.app.config, "SANDBOX_WEBHOOK_ALLOWED_URLS", [receiver.url])
    body = {
        "customer_uid": customer,
        "merchant_uid": new_merchant_uid(),
        "amount": 9900,
        "name": "정기결제",
        "notice_url": [receiver.url, "http://127.0.0.1:6379/"],
    }
    message = refused(api.post("/subscribe/payments/again", json=body), status=400)
    assert "http://127.0.0.1:6379/" in message
    assert webhook_log()["deliveries"] == []

    paid = again(api, customer, notice_url=receiver.url)
    assert receiver.wait_for(1)[0]["json"]["imp_uid"] == paid["imp_uid"]


def test_an_allowed_path_means_that_path_on_the_sandboxs_own_host(
    sandbox, api, customer, monkeypatch
):
    monkeypatch.setitem(sandbox.app.config, "SANDBOX_WEBHOOK_ALLOWED_URLS", ["/portone/webhook"])
    own = f"{sandbox.url}/portone/webhook"
    again(api, customer, notice_url=own)
    elsewhere = {
        "customer_uid": customer,
        "merchant_uid": new_merchant_uid(),
        "amount": 9900,
        "name": "정기결제",
        "notice_url": "http://10.0.0.1/portone/webhook",
    }
    refused(api.post("/subscribe/payments/again", json=elsewhere), status=400)
