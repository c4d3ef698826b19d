"""Running scheduled payments: by the sandbox's clock with no request arriving (the background
runner), on demand (the control), what the payment and its webhook say, and each schedule charged
at most once however many runners share the database."""

import re
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select
from werkzeug.exceptions import NotFound as NotFoundApp
from werkzeug.middleware.dispatcher import DispatcherMiddleware
from werkzeug.test import Client

import portone_sandbox as sandbox_pkg
from portone_sandbox import billing, models, schedule_runner, schedules
from portone_sandbox.models import Payment, Schedule, WebhookDelivery, db, save_billing_key
from tests.postgres import POSTGRES_URL
from tests.sandbox.contract import KEY, ok, schedule_entry
from tests.sandbox_controls import AUTHORIZATION, control

# Sooner than the 30 minutes an access token lives, so one token serves a whole test.
SOON = 600
IMPS_UID = re.compile(r"imps_\d{12}")


@pytest.fixture
def run(sandbox):
    """Run the due schedules now, through the control; the ScheduleResults it ran."""

    def run_now() -> list[dict]:
        response = control("POST", f"{sandbox.url}/_sandbox/schedules/run")
        assert response.status_code == 200, response.text
        return response.json()["executed"]

    return run_now


def test_a_due_schedule_runs_with_no_request_and_notifies(
    api, seed_key, book, clock, advance, receiver, webhook_log
):
    customer = seed_key("customer_1", customer_name="홍길동", customer_email="g@example.com")
    entry = schedule_entry(clock() + SOON, notice_url=receiver.url, custom_data={"period": 2})
    book(customer, entry)
    advance(SOON)

    log = webhook_log(wait_for=1)
    [delivery] = log["deliveries"]
    assert (delivery["url"], delivery["result"], delivery["status"]) == (
        receiver.url,
        "delivered",
        "paid",
    )
    assert delivery["merchant_uid"] == entry["merchant_uid"]
    [hook] = receiver.wait_for(1)
    assert hook["json"] == {
        "imp_uid": delivery["imp_uid"],
        "merchant_uid": entry["merchant_uid"],
        "status": "paid",
    }

    payment = ok(api.get(f"/payments/{delivery['imp_uid']}"))
    assert IMPS_UID.fullmatch(payment["imp_uid"])
    assert (payment["status"], payment["amount"], payment["name"]) == ("paid", 9900, entry["name"])
    assert (payment["customer_uid"], payment["customer_uid_usage"]) == (
        customer,
        "payment.scheduled",
    )
    assert (payment["channel"], payment["pg_provider"], payment["pg_id"]) == (
        "api",
        "kakaopay",
        "TCSUBSCRIP",
    )
    assert (payment["buyer_name"], payment["buyer_email"]) == ("홍길동", "g@example.com")
    assert payment["custom_data"] == '{"period": 2}'
    assert payment["receipt_url"].startswith(api.base_url + "/receipts/")

    executed = ok(api.get(f"/subscribe/payments/schedule/{entry['merchant_uid']}"))
    assert (executed["schedule_status"], executed["payment_status"]) == ("executed", "paid")
    assert executed["imp_uid"] == payment["imp_uid"]
    assert executed["executed_at"] == payment["paid_at"] >= entry["schedule_at"]


def test_a_schedule_not_yet_due_waits(api, seed_key, book, clock, advance, run):
    entry = schedule_entry(clock() + SOON)
    book(seed_key("customer_1"), entry)
    advance(SOON - 60)
    assert run() == []
    waiting = ok(api.get(f"/subscribe/payments/schedule/{entry['merchant_uid']}"))
    assert (waiting["schedule_status"], waiting["imp_uid"]) == ("scheduled", None)


def test_a_declining_key_fails_the_scheduled_charge(
    api, seed_key, book, clock, advance, receiver, webhook_log
):
    customer = seed_key("customer_declining", decline_charges=True)
    entry = schedule_entry(clock() + SOON, notice_url=receiver.url)
    book(customer, entry)
    advance(SOON)

    [delivery] = webhook_log(wait_for=1)["deliveries"]
    assert delivery["status"] == "failed"
    failed = ok(api.get(f"/payments/{delivery['imp_uid']}"))
    assert (failed["status"], failed["fail_reason"]) == ("failed", "잔액이 부족합니다.")
    assert (failed["customer_uid_usage"], failed["paid_at"]) == ("payment.scheduled", 0)
    executed = ok(api.get(f"/subscribe/payments/schedule/{entry['merchant_uid']}"))
    assert (executed["schedule_status"], executed["payment_status"]) == ("executed", "failed")
    assert executed["fail_reason"] == "잔액이 부족합니다."


def test_the_console_url_gets_the_webhook_without_a_notice_url(
    seed_key, book, clock, advance, receiver, webhook_log, sandbox, monkeypatch
):
    monkeypatch.setitem(sandbox.app.config, "SANDBOX_WEBHOOK_URL", receiver.url)
    book(seed_key("customer_1"), schedule_entry(clock() + SOON))
    advance(SOON)
    [delivery] = webhook_log(wait_for=1)["deliveries"]
    assert (delivery["url"], delivery["status"]) == (receiver.url, "paid")


def test_the_run_control_runs_what_is_due(no_runner, api, seed_key, book, clock, advance, run):
    customer = seed_key("customer_1")
    at = clock() + SOON
    due, later = book(customer, schedule_entry(at), schedule_entry(at + SOON))
    advance(SOON)
    [ran] = run()
    assert (ran["merchant_uid"], ran["schedule_status"], ran["payment_status"]) == (
        due["merchant_uid"],
        "executed",
        "paid",
    )
    assert IMPS_UID.fullmatch(ran["imp_uid"])
    assert run() == []
    waiting = ok(api.get(f"/subscribe/payments/schedule/{later['merchant_uid']}"))
    assert waiting["schedule_status"] == "scheduled"


def test_deleting_a_key_means_its_schedules_never_run(
    no_runner, api, seed_key, book, clock, advance, run
):
    customer = seed_key("customer_1")
    entry = schedule_entry(clock() + SOON)
    book(customer, entry)
    ok(api.delete(f"/subscribe/customers/{customer}"))
    advance(SOON)
    assert run() == []
    assert ok(api.get("/payments/status/all"))["total"] == 0
    revoked = ok(api.get(f"/subscribe/payments/schedule/{entry['merchant_uid']}"))
    assert revoked["schedule_status"] == "revoked"


def test_a_merchant_uid_paid_meanwhile_fails_its_schedule(
    no_runner, api, seed_key, book, clock, advance, run, charge
):
    customer = seed_key("customer_1")
    entry = schedule_entry(clock() + SOON)
    book(customer, entry)
    paid = charge(customer, merchant_uid=entry["merchant_uid"])
    advance(SOON)
    [ran] = run()
    assert (ran["payment_status"], ran["fail_reason"]) == (
        "failed",
        "이미 결제가 이루어진 거래건입니다.",
    )
    assert ok(api.get(f"/payments/{paid['imp_uid']}"))["status"] == "paid"


def test_a_refunded_scheduled_payment_reads_cancelled(
    no_runner, api, seed_key, book, clock, advance, run
):
    book(seed_key("customer_1"), schedule_entry(clock() + SOON))
    advance(SOON)
    [ran] = run()
    ok(api.post("/payments/cancel", json={"imp_uid": ran["imp_uid"]}))
    after = ok(api.get(f"/subscribe/payments/schedule/{ran['merchant_uid']}"))
    assert (after["schedule_status"], after["payment_status"]) == ("executed", "cancelled")


def test_a_reset_forgets_schedules(api, seed_key, book, clock, sandbox):
    entry = schedule_entry(clock() + SOON)
    book(seed_key("customer_1"), entry)
    control("POST", f"{sandbox.url}/_sandbox/reset").raise_for_status()
    api.renew()
    assert api.get(f"/subscribe/payments/schedule/{entry['merchant_uid']}").status_code == 404


def _sandbox_app(database_url: str, **config):
    return sandbox_pkg.create_app(
        {"SQLALCHEMY_DATABASE_URI": database_url, "SANDBOX_SCHEDULE_RUNNER": False, **config}
    )


def _book_due(app, count: int, notice_url: str) -> list[str]:
    """Seed a key and book ``count`` schedules through the REST API, then move the clock to
    them: booked for the clock's current second, they were refused whenever that second ended
    before the booking arrived (on a busy machine, often)."""
    client = app.test_client()
    token = client.post("/users/getToken", json=KEY).get_json()["response"]["access_token"]
    with app.app_context():
        save_billing_key("customer_1")
        db.session.commit()
    at = client.get("/_sandbox/clock", headers=AUTHORIZATION).get_json()["now"] + SOON
    entries = [schedule_entry(at, notice_url=notice_url) for _ in range(count)]
    response = client.post(
        "/subscribe/payments/schedule",
        json={"customer_uid": "customer_1", "schedules": entries},
        headers={"Authorization": token},
    )
    assert response.get_json()["code"] == 0, response.get_json()
    advanced = client.post(
        "/_sandbox/clock/advance", json={"seconds": SOON}, headers=AUTHORIZATION
    ).get_json()
    assert advanced["now"] >= at, advanced
    return [entry["merchant_uid"] for entry in entries]


def _run_everywhere(apps, threads_per_app: int = 4) -> list[str]:
    """Every app runs the due schedules from several threads at the same moment; the
    merchant_uids each run reported, all together."""
    start = threading.Barrier(len(apps) * threads_per_app)

    def runner(app):
        with app.app_context():
            start.wait()
            return [schedule.merchant_uid for schedule in schedules.run_due()]

    with ThreadPoolExecutor(len(apps) * threads_per_app) as pool:
        futures = [pool.submit(runner, app) for app in apps for _ in range(threads_per_app)]
        return [merchant_uid for future in futures for merchant_uid in future.result()]


def _check_once_each(app, merchant_uids: list[str], ran: list[str]) -> None:
    assert sorted(ran) == sorted(merchant_uids)
    with app.app_context():
        payments = db.session.execute(
            select(Payment.merchant_uid, func.count()).group_by(Payment.merchant_uid)
        ).all()
        assert dict(payments) == dict.fromkeys(merchant_uids, 1)
        assert db.session.scalar(select(func.count(WebhookDelivery.id))) == len(merchant_uids)
        booked = db.session.scalars(select(Schedule)).all()
        assert {s.schedule_status for s in booked} == {"executed"}
        assert {s.imp_uid for s in booked} == set(db.session.scalars(select(Payment.imp_uid)).all())


def test_two_sandboxes_on_one_sqlite_file_run_each_schedule_once(tmp_path, receiver):
    url = f"sqlite:///{tmp_path / 'shared.sqlite3'}"
    apps = [_sandbox_app(url), _sandbox_app(url)]
    merchant_uids = _book_due(apps[0], 20, receiver.url)
    ran = _run_everywhere(apps)
    _check_once_each(apps[1], merchant_uids, ran)
    assert len(receiver.wait_for(20)) == 20


@pytest.mark.postgres
def test_two_sandboxes_on_postgresql_run_each_schedule_once(receiver):
    apps = [_sandbox_app(POSTGRES_URL), _sandbox_app(POSTGRES_URL)]
    try:
        with apps[0].app_context():
            for table in reversed(db.metadata.sorted_tables):
                db.session.execute(table.delete())
            db.session.commit()
        merchant_uids = _book_due(apps[0], 20, receiver.url)
        ran = _run_everywhere(apps)
        _check_once_each(apps[1], merchant_uids, ran)
        assert len(receiver.wait_for(20)) == 20
    finally:
        with apps[0].app_context():
            db.drop_all()


def test_a_restarted_sandbox_runs_what_was_booked_before(tmp_path, receiver):
    url = f"sqlite:///{tmp_path / 'sandbox.sqlite3'}"
    [merchant_uid] = _book_due(_sandbox_app(url), 1, receiver.url)
    restarted = _sandbox_app(url, SANDBOX_SCHEDULE_RUNNER=True, SANDBOX_SCHEDULE_INTERVAL=0.1)
    try:
        # Its first request finds a schedule booked and starts the runner; nothing asks it to run.
        assert (
            restarted.test_client().get("/_sandbox/clock", headers=AUTHORIZATION).status_code == 200
        )
        [hook] = receiver.wait_for(1)
        assert (hook["json"]["merchant_uid"], hook["json"]["status"]) == (merchant_uid, "paid")
    finally:
        schedule_runner.stop(restarted)


def test_a_failed_schedule_can_be_booked_again_with_a_new_key(
    no_runner, api, seed_key, book, clock, advance, run
):
    """A renewal declined, the buyer saves a new key under the same customer_uid, and the
    merchant books the same period's merchant_uid again: it is charged this time."""
    customer = seed_key("customer_1", decline_charges=True)
    entry = schedule_entry(clock() + SOON)
    book(customer, entry)
    advance(SOON)
    [failed] = run()
    assert failed["payment_status"] == "failed"

    seed_key("customer_1")
    [retry] = book(customer, {**entry, "schedule_at": clock() + SOON})
    assert (retry["schedule_status"], retry["imp_uid"]) == ("scheduled", None)
    advance(SOON)
    [paid] = run()
    assert (paid["merchant_uid"], paid["payment_status"]) == (entry["merchant_uid"], "paid")
    assert paid["imp_uid"] != failed["imp_uid"]
    found = ok(api.get(f"/payments/findAll/{entry['merchant_uid']}"))
    assert sorted(p["status"] for p in found["list"]) == ["failed", "paid"]


def test_a_scheduled_payment_is_paid_at_the_moment_its_schedule_ran(
    tmp_path, receiver, monkeypatch
):
    """However long the runner takes to reach the key, the schedule and its payment tell one
    time."""
    app = _sandbox_app(f"sqlite:///{tmp_path / 'sandbox.sqlite3'}")
    _book_due(app, 1, receiver.url)
    # Every later reading of the clock finds it a second on: a slow machine.
    monkeypatch.setattr(billing, "now", lambda: models.now() + 1)
    with app.app_context():
        [ran] = [schedule.to_api() for schedule in schedules.run_due()]
        payment = db.session.get(Payment, ran["imp_uid"])
        assert ran["executed_at"] == payment.paid_at == payment.started_at


def test_a_mounted_sandbox_gives_scheduled_payments_receipts_under_its_mount(tmp_path):
    """The runner has no request of its own: the receipt is built on the address the booking
    came to, mount point included."""
    app = _sandbox_app(f"sqlite:///{tmp_path / 'sandbox.sqlite3'}")
    client = Client(DispatcherMiddleware(NotFoundApp(), {"/portone-sandbox": app}))
    mount = "https://shop.example/portone-sandbox"

    def call(method: str, path: str, **kwargs) -> dict:
        response = client.open(
            f"/portone-sandbox{path}", "https://shop.example", method=method, **kwargs
        )
        return response.get_json()

    token = call("POST", "/users/getToken", json=KEY)["response"]["access_token"]
    with app.app_context():
        save_billing_key("customer_1")
        db.session.commit()
    at = call("GET", "/_sandbox/clock", headers=AUTHORIZATION)["now"] + SOON
    entries = {"customer_uid": "customer_1", "schedules": [schedule_entry(at)]}
    booked = call(
        "POST", "/subscribe/payments/schedule", json=entries, headers={"Authorization": token}
    )
    assert booked["code"] == 0, booked
    call("POST", "/_sandbox/clock/advance", json={"seconds": SOON}, headers=AUTHORIZATION)
    with app.app_context():
        # As the background runner runs it: no request at all.
        [ran] = [schedule.to_api() for schedule in schedules.run_due()]
    payment = call("GET", f"/payments/{ran['imp_uid']}", headers={"Authorization": token})
    assert payment["response"]["receipt_url"] == f"{mount}/receipts/{ran['imp_uid']}"
