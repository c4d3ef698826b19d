"""Faults armed on purpose (``/_sandbox/faults``): API calls that fail with 500, hang, answer
a malformed body or 401, and webhooks dropped, duplicated, delayed or held back; their arming,
listing and clearing over HTTP, and how they are taken by concurrent callers."""

import json
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

import portone_sandbox as sandbox_pkg
from tests.postgres import POSTGRES_URL
from tests.sandbox.contract import Api, ok, refused
from tests.sandbox_controls import arm_fault, control
from tests.servers import LiveServer

PAYMENT = "GET /payments/{imp_uid}"
PREPARE = "POST /payments/prepare"


def listed(base_url: str) -> list[dict]:
    response = control("GET", f"{base_url}/_sandbox/faults")
    assert response.status_code == 200, response.text
    return response.json()["faults"]


def prepare(api: Api, merchant_uid: str, **kwargs) -> requests.Response:
    return api.post(
        "/payments/prepare", json={"merchant_uid": merchant_uid, "amount": 1000}, **kwargs
    )


def test_500_fails_the_next_calls_then_the_api_recovers(sandbox, api, charge):
    paid = charge()
    armed = arm_fault(sandbox.url, kind="500", count=2)
    assert (armed["kind"], armed["target"], armed["remaining"]) == ("500", "api", 2)

    for _ in range(2):
        failed = api.get(f"/payments/{paid['imp_uid']}")
        refused(failed, status=500, code=-1)
        assert failed.headers["X-Sandbox-Fault"] == "500"
    assert ok(api.get(f"/payments/{paid['imp_uid']}"))["status"] == "paid"
    assert [fault["remaining"] for fault in listed(sandbox.url)] == [0]


def test_a_failed_call_does_nothing(sandbox, api):
    arm_fault(sandbox.url, kind="500", endpoint=PREPARE)
    arm_fault(sandbox.url, kind="malformed", endpoint=PREPARE)
    arm_fault(sandbox.url, kind="401", endpoint=PREPARE)
    answers = [prepare(api, uid) for uid in ("order_500", "order_malformed", "order_401")]
    assert [answer.status_code for answer in answers] == [500, 200, 401]
    for merchant_uid in ("order_500", "order_malformed", "order_401"):
        refused(api.get(f"/payments/prepare/{merchant_uid}"), status=404, code=-1)


def test_a_fault_for_one_endpoint_spares_the_others(sandbox, api, charge):
    paid = charge()
    arm_fault(sandbox.url, kind="500", endpoint=PAYMENT)
    ok(prepare(api, "order_spared"))
    ok(api.get(f"/payments/find/{paid['merchant_uid']}"))
    refused(api.get(f"/payments/{paid['imp_uid']}"), status=500, code=-1)
    ok(api.get(f"/payments/{paid['imp_uid']}"))


def test_get_token_can_fail_too(sandbox):
    arm_fault(sandbox.url, kind="500", endpoint="POST /users/getToken")
    credentials = {"imp_key": "sandbox-key", "imp_secret": "sandbox-secret"}
    token_url = f"{sandbox.url}/users/getToken"
    refused(requests.post(token_url, json=credentials, timeout=5), status=500, code=-1)
    assert ok(requests.post(token_url, json=credentials, timeout=5))["access_token"]


def test_401_refuses_a_live_token_once(sandbox, api):
    arm_fault(sandbox.url, kind="401")
    refusal = api.get("/payments/status/all")
    assert refusal.status_code == 401
    assert refusal.json() == {"code": -1, "message": "Unauthorized", "response": None}
    ok(api.get("/payments/status/all"))


def test_malformed_answers_a_body_that_is_not_json(sandbox, api, charge):
    paid = charge()
    arm_fault(sandbox.url, kind="malformed", endpoint=PAYMENT)
    answer = api.get(f"/payments/{paid['imp_uid']}")
    assert answer.status_code == 200
    assert answer.headers["Content-Type"] == "application/json"
    with pytest.raises(json.JSONDecodeError):
        json.loads(answer.text)
    ok(api.get(f"/payments/{paid['imp_uid']}"))


def test_hang_outlasts_the_client_then_serves_the_call(sandbox, api):
    arm_fault(sandbox.url, kind="hang", endpoint=PREPARE, delay=1.5)
    with pytest.raises(requests.Timeout):
        requests.post(
            f"{sandbox.url}/payments/prepare",
            json={"merchant_uid": "order_hung", "amount": 1000},
            headers={"Authorization": api.token},
            timeout=0.5,
        )
    # The sandbox serves the call once its delay is over: the client never heard of it.
    started = time.monotonic()
    registered = api.get("/payments/prepare/order_hung")
    while registered.status_code == 404 and time.monotonic() - started < 5:
        registered = api.get("/payments/prepare/order_hung")
    assert ok(registered)["amount"] == 1000


def test_a_hang_answers_late_with_the_real_answer(sandbox, api):
    arm_fault(sandbox.url, kind="hang", endpoint=PREPARE, delay=1)
    started = time.monotonic()
    answer = prepare(api, "order_late")
    assert time.monotonic() - started >= 1
    assert ok(answer)["merchant_uid"] == "order_late"


def test_clearing_ends_a_hang_and_the_call_does_nothing(sandbox, api):
    arm_fault(sandbox.url, kind="hang", endpoint=PREPARE, delay=30)
    with ThreadPoolExecutor(1) as pool:
        started = time.monotonic()
        hung = pool.submit(prepare, api, "order_released")
        while listed(sandbox.url)[0]["remaining"]:
            assert not hung.done()
        control("DELETE", f"{sandbox.url}/_sandbox/faults").raise_for_status()
        answer = hung.result(timeout=10)
    assert time.monotonic() - started < 10
    refused(answer, status=500, code=-1)
    refused(api.get("/payments/prepare/order_released"), status=404, code=-1)


def test_a_reset_ends_a_hang(sandbox, api):
    arm_fault(sandbox.url, kind="hang", delay=30)
    with ThreadPoolExecutor(1) as pool:
        hung = pool.submit(prepare, api, "order_reset")
        while listed(sandbox.url)[0]["remaining"]:
            assert not hung.done()
        control("POST", f"{sandbox.url}/_sandbox/reset").raise_for_status()
        refused(hung.result(timeout=10), status=500, code=-1)
    assert listed(sandbox.url) == []


def test_delays_default_and_are_bounded(sandbox):
    assert arm_fault(sandbox.url, kind="hang")["delay"] == 10
    assert arm_fault(sandbox.url, kind="delay")["delay"] == 5
    assert arm_fault(sandbox.url, kind="hang", delay="30")["delay"] == 30
    refused(
        control("POST", f"{sandbox.url}/_sandbox/faults", json={"kind": "hang", "delay": 31}), 400
    )


@pytest.mark.parametrize(
    "fault",
    [
        {},
        {"kind": "503"},
        {"kind": "500", "count": 0},
        {"kind": "500", "count": 1001},
        {"kind": "500", "count": "many"},
        {"kind": "500", "endpoint": "GET /payments/{merchant_uid}"},
        {"kind": "500", "endpoint": "GET /_sandbox/clock"},
        {"kind": "500", "delay": 1},
        {"kind": "hang", "delay": -1},
        {"kind": "hang", "delay": "soon"},
        {"kind": "hang", "delay": True},
        {"kind": "drop", "endpoint": PAYMENT},
        {"kind": "drop", "copies": 2},
        {"kind": "duplicate", "copies": 1},
        {"kind": "duplicate", "copies": 11},
    ],
    ids=lambda fault: json.dumps(fault),
)
def test_bad_faults_are_400_and_arm_nothing(sandbox, fault):
    refused(control("POST", f"{sandbox.url}/_sandbox/faults", json=fault), status=400)
    assert listed(sandbox.url) == []


def test_endpoints_are_listed_as_portone_writes_them(sandbox):
    endpoints = control("GET", f"{sandbox.url}/_sandbox/faults").json()["endpoints"]
    assert {PAYMENT, PREPARE, "POST /users/getToken", "POST /subscribe/payments/again"} <= set(
        endpoints
    )
    assert not [endpoint for endpoint in endpoints if "_sandbox" in endpoint or "<" in endpoint]


def test_endpoints_are_matched_without_regard_to_case_of_the_method(sandbox, api, charge):
    paid = charge()
    assert (
        arm_fault(sandbox.url, kind="500", endpoint="get /payments/{imp_uid}")["endpoint"]
        == PAYMENT
    )
    refused(api.get(f"/payments/{paid['imp_uid']}"), status=500, code=-1)


def test_faults_spare_the_controls_the_window_and_the_dashboard(sandbox):
    arm_fault(sandbox.url, kind="500", count=5)
    assert control("GET", f"{sandbox.url}/_sandbox/clock").status_code == 200
    assert requests.get(f"{sandbox.url}/", timeout=5).status_code == 200
    assert requests.get(f"{sandbox.url}/v1/iamport.js", timeout=5).status_code == 200
    refused(requests.get(f"{sandbox.url}/payments/nowhere/at/all", timeout=5), 404, -1)
    assert listed(sandbox.url)[0]["remaining"] == 5


def test_faults_are_taken_oldest_first(sandbox, api):
    arm_fault(sandbox.url, kind="401", endpoint="GET /payments/status/{payment_status}")
    arm_fault(sandbox.url, kind="500")
    assert api.get("/payments/status/all").status_code == 401
    assert api.get("/payments/status/all").status_code == 500
    ok(api.get("/payments/status/all"))


def test_clear_one_fault_or_all(sandbox, api):
    first = arm_fault(sandbox.url, kind="500")
    arm_fault(sandbox.url, kind="drop")
    cleared = control("DELETE", f"{sandbox.url}/_sandbox/faults/{first['id']}")
    assert cleared.json() == {"cleared": 1}
    refused(control("DELETE", f"{sandbox.url}/_sandbox/faults/{first['id']}"), 404, -1)
    assert [fault["kind"] for fault in listed(sandbox.url)] == ["drop"]
    ok(api.get("/payments/status/all"))
    assert control("DELETE", f"{sandbox.url}/_sandbox/faults").json() == {"cleared": 1}
    assert listed(sandbox.url) == []


def test_reset_clears_the_faults(sandbox, api):
    arm_fault(sandbox.url, kind="500")
    control("POST", f"{sandbox.url}/_sandbox/reset").raise_for_status()
    assert listed(sandbox.url) == []
    api.renew()
    ok(api.get("/payments/status/all"))


@pytest.mark.parametrize(
    ("method", "path"),
    [("GET", "/_sandbox/faults"), ("POST", "/_sandbox/faults"), ("DELETE", "/_sandbox/faults")],
)
def test_the_fault_controls_need_the_secret(sandbox, method, path):
    arm_fault(sandbox.url, kind="drop")
    response = requests.request(
        method,
        sandbox.url + path,
        data="kind=500&count=1000",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        timeout=5,
    )
    refused(response, status=401, code=-1)
    assert [fault["kind"] for fault in listed(sandbox.url)] == ["drop"]


def test_a_fault_is_taken_once_by_concurrent_calls(sandbox, api):
    arm_fault(sandbox.url, kind="500", count=3)
    with ThreadPoolExecutor(12) as pool:
        statuses = list(pool.map(lambda _: api.get("/payments/status/all").status_code, range(12)))
    assert sorted(statuses) == [200] * 9 + [500] * 3


@pytest.fixture(
    params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)],
)
def two_workers(request, tmp_path):
    """Two sandbox servers on one database, as two workers (or hosts) of one sandbox are."""
    url = (
        POSTGRES_URL if request.param == "postgres" else f"sqlite:///{tmp_path / 'shared.sqlite3'}"
    )
    apps = [sandbox_pkg.create_app({"SQLALCHEMY_DATABASE_URI": url}) for _ in range(2)]
    servers = [LiveServer(app).start() for app in apps]
    control("POST", f"{servers[0].url}/_sandbox/reset").raise_for_status()
    yield servers
    for server in servers:
        server.stop()
    with apps[0].app_context():
        sandbox_pkg.models.db.drop_all()
        sandbox_pkg.models.db.engine.dispose()
    with apps[1].app_context():
        sandbox_pkg.models.db.engine.dispose()


def test_workers_share_the_faults_and_take_each_use_once(two_workers):
    first, second = two_workers
    clients = [Api(first.url, ""), Api(second.url, "")]
    clients[0].renew()
    clients[1].token = clients[0].token
    arm_fault(first.url, kind="500", count=5)

    def call(index: int) -> int:
        return clients[index % 2].get("/payments/status/all").status_code

    with ThreadPoolExecutor(8) as pool:
        statuses = list(pool.map(call, range(24)))
    assert sorted(statuses) == [200] * 19 + [500] * 5
    assert listed(second.url)[0]["remaining"] == 0


# Webhooks ---------------------------------------------------------------------------------


def test_drop_loses_the_next_notification(sandbox, charge, receiver, webhook_log):
    arm_fault(sandbox.url, kind="drop")
    lost = charge(notice_url=[receiver.url, f"{receiver.url}?copy"])
    sent = charge(notice_url=receiver.url)

    assert [entry["json"]["imp_uid"] for entry in receiver.wait_for(1)] == [sent["imp_uid"]]
    log = webhook_log(wait_for=3)["deliveries"]
    assert [(d["imp_uid"], d["result"], d["attempts"]) for d in log] == [
        (lost["imp_uid"], "dropped", 0),
        (lost["imp_uid"], "dropped", 0),
        (sent["imp_uid"], "delivered", 1),
    ]
    assert len(receiver.received) == 1


def test_duplicate_sends_the_notification_k_times(sandbox, charge, receiver, webhook_log):
    arm_fault(sandbox.url, kind="duplicate", copies=3)
    paid = charge(notice_url=receiver.url)

    bodies = [entry["json"] for entry in receiver.wait_for(3)]
    assert (
        bodies
        == [{"imp_uid": paid["imp_uid"], "merchant_uid": paid["merchant_uid"], "status": "paid"}]
        * 3
    )
    log = webhook_log(wait_for=3)["deliveries"]
    assert [d["result"] for d in log] == ["delivered"] * 3
    assert len({d["id"] for d in log}) == 3


def test_delay_sends_the_notification_seconds_later(sandbox, charge, receiver, webhook_log):
    arm_fault(sandbox.url, kind="delay", delay=2)
    started = time.monotonic()
    paid = charge(notice_url=receiver.url)

    assert receiver.wait_for(1)[0]["json"]["imp_uid"] == paid["imp_uid"]
    assert time.monotonic() - started >= 2
    assert webhook_log(wait_for=1)["deliveries"][0]["result"] == "delivered"


def test_reorder_holds_a_notification_until_the_next_is_sent(
    sandbox, charge, receiver, webhook_log
):
    arm_fault(sandbox.url, kind="reorder")
    first = charge(notice_url=receiver.url)
    log = webhook_log(wait_for=1, timeout=0)
    assert log["settled"] is False
    assert [d["result"] for d in log["deliveries"]] == ["held"]

    second = charge(notice_url=receiver.url)
    arrived = [entry["json"]["imp_uid"] for entry in receiver.wait_for(2)]
    assert arrived == [second["imp_uid"], first["imp_uid"]]
    assert [d["result"] for d in webhook_log(wait_for=2)["deliveries"]] == ["delivered"] * 2


def test_webhook_faults_leave_api_calls_alone(sandbox, api, charge, receiver):
    arm_fault(sandbox.url, kind="drop")
    ok(prepare(api, "order_unharmed"))
    paid = charge(notice_url=receiver.url)
    assert listed(sandbox.url)[0]["remaining"] == 0
    ok(api.get(f"/payments/{paid['imp_uid']}"))


def test_a_reset_forgets_held_notifications(sandbox, api, charge, receiver, webhook_log):
    arm_fault(sandbox.url, kind="reorder")
    charge(notice_url=receiver.url)
    control("POST", f"{sandbox.url}/_sandbox/reset").raise_for_status()
    api.renew()
    paid = charge(notice_url=receiver.url)
    assert [entry["json"]["imp_uid"] for entry in receiver.wait_for(1)] == [paid["imp_uid"]]
    assert webhook_log(idle=True)["in_flight"] == 0
    assert len(receiver.received) == 1


def test_the_fault_is_taken_by_the_notification_not_by_each_copy(
    sandbox, charge, receiver, webhook_log
):
    arm_fault(sandbox.url, kind="duplicate", copies=2, count=1)
    charge(notice_url=[receiver.url, f"{receiver.url}?other"])
    charge(notice_url=receiver.url)
    receiver.wait_for(5)
    assert len(webhook_log(wait_for=5)["deliveries"]) == 5
