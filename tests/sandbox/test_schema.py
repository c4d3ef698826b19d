"""Every object the sandbox returns has exactly the fields of PortOne's V1 schema, each of the
schema's type.

The tables below were written by reading ``v1.openapi.json`` (definitions ``PaymentAnnotation``,
``PaymentCancelAnnotation``, ``CustomerAnnotation``, ``AuthAnnotation``, ``PagedPaymentAnnotation``,
``PaymentPrepareAnnotation``, ``ScheduleResultAnnotation``). Swagger 2.0 cannot say "nullable":
its ``required`` means "always present". PortOne sends null for strings it has no value for, and 0
for timestamps that have not happened, so strings (and the few fields named in NULLABLE) may be
null; other types may not.

Searches of schedules are pages like ``PagedPaymentAnnotation`` (``{total, previous, next, list}``),
as PortOne's own clients read them, though the schema names them ``ScheduleResponse`` (an array).
"""

import json

import pytest
import requests

import portone_sandbox as sandbox_pkg
from portone_sandbox.models import db as sandbox_db
from tests.postgres import POSTGRES_URL
from tests.sandbox.contract import KEY, ok, schedule_entry
from tests.sandbox_controls import control

STRING, INTEGER, NUMBER, BOOLEAN, ARRAY, OBJECT = (
    "string",
    "integer",
    "number",
    "boolean",
    "array",
    "object",
)

PAYMENT = {
    "imp_uid": STRING,
    "merchant_uid": STRING,
    "pay_method": STRING,
    "channel": STRING,
    "pg_provider": STRING,
    "emb_pg_provider": STRING,
    "pg_tid": STRING,
    "pg_id": STRING,
    "sandbox": BOOLEAN,
    "escrow": BOOLEAN,
    "apply_num": STRING,
    "bank_code": STRING,
    "bank_name": STRING,
    "card_code": STRING,
    "card_name": STRING,
    "card_issuer_code": STRING,
    "card_issuer_name": STRING,
    "card_publisher_code": STRING,
    "card_publisher_name": STRING,
    "card_quota": INTEGER,
    "card_number": STRING,
    "card_type": INTEGER,
    "vbank_code": STRING,
    "vbank_name": STRING,
    "vbank_num": STRING,
    "vbank_holder": STRING,
    "vbank_date": INTEGER,
    "vbank_issued_at": INTEGER,
    "name": STRING,
    "amount": NUMBER,
    "cancel_amount": NUMBER,
    "currency": STRING,
    "buyer_name": STRING,
    "buyer_email": STRING,
    "buyer_tel": STRING,
    "buyer_addr": STRING,
    "buyer_postcode": STRING,
    "custom_data": STRING,
    "user_agent": STRING,
    "status": STRING,
    "started_at": INTEGER,
    "paid_at": INTEGER,
    "failed_at": INTEGER,
    "cancelled_at": INTEGER,
    "fail_reason": STRING,
    "cancel_reason": STRING,
    "receipt_url": STRING,
    "cancel_history": ARRAY,
    "deposit_history": ARRAY,
    "cancel_receipt_urls": ARRAY,
    "cash_receipt_issued": BOOLEAN,
    "customer_uid": STRING,
    "customer_uid_usage": STRING,
    "promotion": OBJECT,
}
PAYMENT_REQUIRED = {
    "imp_uid",
    "merchant_uid",
    "amount",
    "cancel_amount",
    "currency",
    "status",
    "sandbox",
}

PAYMENT_CANCEL = {
    "pg_tid": STRING,
    "amount": NUMBER,
    "cancelled_at": INTEGER,
    "reason": STRING,
    "cancellation_id": STRING,
    "receipt_url": STRING,
}
PAYMENT_CANCEL_REQUIRED = {"pg_tid", "amount", "reason", "cancelled_at", "cancellation_id"}

CUSTOMER = {
    "customer_uid": STRING,
    "pg_provider": STRING,
    "pg_id": STRING,
    "sandbox": BOOLEAN,
    "customer_id": STRING,
    "card_name": STRING,
    "card_code": STRING,
    "card_issuer_code": STRING,
    "card_issuer_name": STRING,
    "card_publisher_code": STRING,
    "card_publisher_name": STRING,
    "card_number": STRING,
    "card_type": INTEGER,
    "customer_name": STRING,
    "customer_tel": STRING,
    "customer_email": STRING,
    "customer_addr": STRING,
    "customer_postcode": STRING,
    "inserted": INTEGER,
    "updated": INTEGER,
}
CUSTOMER_REQUIRED = {
    "customer_uid",
    "pg_provider",
    "pg_id",
    "card_name",
    "inserted",
    "updated",
    "sandbox",
}

AUTH = {"access_token": STRING, "expired_at": INTEGER, "now": INTEGER}
AUTH_REQUIRED = set(AUTH)

PAGED_PAYMENTS = {"total": INTEGER, "previous": INTEGER, "next": INTEGER, "list": ARRAY}
PAGED_PAYMENTS_REQUIRED = {"total", "previous", "next"}

PAYMENT_PREPARE = {"merchant_uid": STRING, "amount": NUMBER, "currency": STRING}

SCHEDULE_RESULT = {
    "customer_uid": STRING,
    "merchant_uid": STRING,
    "imp_uid": STRING,
    "pg_provider": STRING,
    "pg_id": STRING,
    "customer_id": STRING,
    "schedule_at": INTEGER,
    "executed_at": INTEGER,
    "revoked_at": INTEGER,
    "amount": NUMBER,
    "currency": STRING,
    "name": STRING,
    "buyer_name": STRING,
    "buyer_email": STRING,
    "buyer_tel": STRING,
    "buyer_addr": STRING,
    "buyer_postcode": STRING,
    "custom_data": STRING,
    "schedule_status": STRING,
    "payment_status": STRING,
    "fail_reason": STRING,
    "promotion_id": STRING,
}
# The schema requires none of them; these the sandbox always knows.
SCHEDULE_RESULT_REQUIRED = {"customer_uid", "merchant_uid", "schedule_at", "amount"}

# Not strings, yet documented as null when there is nothing to say: card_type "null for PGs that
# do not provide it", and promotion when no promotion applied.
NULLABLE = {"card_type", "promotion"}


def conforms(value, kind: str) -> bool:
    if kind == STRING:
        return isinstance(value, str)
    if kind == INTEGER:
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == NUMBER:
        return isinstance(value, int | float) and not isinstance(value, bool)
    if kind == BOOLEAN:
        return isinstance(value, bool)
    if kind == ARRAY:
        return isinstance(value, list)
    return isinstance(value, dict)


def check(obj: dict, table: dict, required: set) -> None:
    """``obj`` has exactly ``table``'s fields, the required ones among them, each of its type."""
    assert isinstance(obj, dict)
    assert set(obj) == set(table), set(obj) ^ set(table)
    assert required <= set(obj)
    for name, kind in table.items():
        value = obj[name]
        if value is None:
            assert kind == STRING or name in NULLABLE, f"{name} is null"
        else:
            assert conforms(value, kind), f"{name}={value!r} is not {kind}"


def check_payment(payment: dict) -> None:
    check(payment, PAYMENT, PAYMENT_REQUIRED)
    for name in PAYMENT_REQUIRED:
        assert payment[name] is not None, name
    assert isinstance(payment["amount"], int)
    assert isinstance(payment["cancel_amount"], int)
    for refund in payment["cancel_history"]:
        check(refund, PAYMENT_CANCEL, PAYMENT_CANCEL_REQUIRED)
        assert isinstance(refund["amount"], int)
    assert all(isinstance(url, str) for url in payment["cancel_receipt_urls"])


def check_envelope(response: requests.Response, status: int = 200):
    assert response.status_code == status
    assert response.headers["Content-Type"].startswith("application/json")
    body = response.json()
    assert list(body) == ["code", "message", "response"]
    assert isinstance(body["code"], int)
    assert body["message"] is None or isinstance(body["message"], str)
    return body["response"]


@pytest.fixture
def payments(api, seed_key, charge):
    """One payment in every state an ``again`` charge and a cancel can leave."""
    seed_key(
        "customer_card",
        pay_method="card",
        card_name="신한카드",
        card_code="366",
        card_number="4092-12**-****-3456",
        card_type=0,
    )
    seed_key("customer_declining", decline_charges=True)
    made = {
        "paid_card": charge("customer_card", custom_data={"plan": "monthly"}),
        "paid_point": charge(buyer_name="홍길동"),
        "failed": charge("customer_declining"),
        "partly_cancelled": charge(amount=10000),
        "cancelled": charge(amount=10000),
    }
    partly = {"imp_uid": made["partly_cancelled"]["imp_uid"], "amount": 3000, "reason": "부분"}
    made["partly_cancelled"] = ok(api.post("/payments/cancel", json=partly))
    made["cancelled"] = ok(
        api.post("/payments/cancel", data={"imp_uid": made["cancelled"]["imp_uid"]})
    )
    return made


def test_auth(sandbox):
    auth = check_envelope(requests.post(f"{sandbox.url}/users/getToken", json=KEY, timeout=5))
    check(auth, AUTH, AUTH_REQUIRED)


def test_payments_in_every_state(api, payments):
    for payment in payments.values():
        check_payment(payment)
        check_payment(check_envelope(api.get(f"/payments/{payment['imp_uid']}")))
    assert {p["status"] for p in payments.values()} == {"paid", "failed", "cancelled"}
    assert payments["cancelled"]["cancel_history"]
    assert payments["partly_cancelled"]["cancel_history"]


def test_payment_lists(api, payments):
    imp_uids = [p["imp_uid"] for p in payments.values()]
    several = check_envelope(api.get("/payments", params={"imp_uid[]": imp_uids}))
    assert len(several) == len(imp_uids)
    for payment in several:
        check_payment(payment)
    merchant_uid = payments["failed"]["merchant_uid"]
    for path in (
        "/payments/status/all",
        f"/payments/findAll/{merchant_uid}",
        "/subscribe/customers/customer_money/payments",
    ):
        page = check_envelope(api.get(path))
        check(page, PAGED_PAYMENTS, PAGED_PAYMENTS_REQUIRED)
        assert page["list"]
        for payment in page["list"]:
            check_payment(payment)
    check_payment(check_envelope(api.get(f"/payments/find/{merchant_uid}")))


def test_customers(api, payments):
    card = check_envelope(api.get("/subscribe/customers/customer_card"))
    check(card, CUSTOMER, CUSTOMER_REQUIRED)
    listed = check_envelope(
        api.get("/subscribe/customers", params={"customer_uid[]": ["customer_money"]})
    )
    for customer in listed:
        check(customer, CUSTOMER, CUSTOMER_REQUIRED)
    check(
        check_envelope(api.delete("/subscribe/customers/customer_card")),
        CUSTOMER,
        CUSTOMER_REQUIRED,
    )


def check_schedule(schedule: dict) -> None:
    check(schedule, SCHEDULE_RESULT, SCHEDULE_RESULT_REQUIRED)
    for name in SCHEDULE_RESULT_REQUIRED:
        assert schedule[name] is not None, name
    assert isinstance(schedule["amount"], int)
    assert schedule["schedule_status"] in ("scheduled", "executed", "revoked")
    assert schedule["payment_status"] in (None, "paid", "failed", "cancelled")


def test_schedules_in_every_state(api, seed_key, book, clock, advance):
    seed_key("customer_money", customer_name="홍길동")
    seed_key("customer_declining", decline_charges=True)
    at = clock() + 60
    made = book("customer_money", *(schedule_entry(at) for _ in range(2)))
    made += book("customer_declining", schedule_entry(at, custom_data={"plan": "monthly"}))
    made += book("customer_money", schedule_entry(at + 3600))
    advance(60)
    # The background runner may have run them first; either way they have run once this returns.
    run = control("POST", f"{api.base_url}/_sandbox/schedules/run", timeout=10)
    unscheduled = api.post(
        "/subscribe/payments/unschedule", json={"merchant_uid": [made[-1]["merchant_uid"]]}
    )
    ok(api.post("/payments/cancel", json={"imp_uid": _found(api, made[0])["imp_uid"]}))
    found = [_found(api, schedule) for schedule in made]

    for schedule in made + run.json()["executed"] + check_envelope(unscheduled) + found:
        check_schedule(schedule)
    assert [(s["schedule_status"], s["payment_status"]) for s in found] == [
        ("executed", "cancelled"),
        ("executed", "paid"),
        ("executed", "failed"),
        ("revoked", None),
    ]
    window = {"from": at - 60, "to": at + 7200}
    range_window = {"schedule_from": window["from"], "schedule_to": window["to"]}
    for page in (
        check_envelope(api.get("/subscribe/payments/schedule", params=range_window)),
        check_envelope(
            api.get("/subscribe/payments/schedule/customers/customer_money", params=window)
        ),
        check_envelope(api.get("/subscribe/customers/customer_declining/schedules", params=window)),
    ):
        check(page, PAGED_PAYMENTS, PAGED_PAYMENTS_REQUIRED)
        assert page["list"]
        for schedule in page["list"]:
            check_schedule(schedule)


def _found(api, schedule: dict) -> dict:
    return check_envelope(api.get(f"/subscribe/payments/schedule/{schedule['merchant_uid']}"))


def test_a_moved_schedule(api, seed_key, book, clock):
    seed_key("customer_money")
    booked = book("customer_money", schedule_entry(clock() + 3600))[0]
    path = f"/subscribe/payments/schedule/{booked['merchant_uid']}"
    check_schedule(check_envelope(api.put(path, json={"schedule_at": booked["schedule_at"] + 60})))


def test_prepare(api):
    body = {"merchant_uid": "order_1", "amount": 14000}
    check(check_envelope(api.post("/payments/prepare", json=body)), PAYMENT_PREPARE, set())
    check(check_envelope(api.get("/payments/prepare/order_1")), PAYMENT_PREPARE, set())


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("GET", "/payments/imp_000000000000", 404),
        ("GET", "/payments/status/unknown", 400),
        ("POST", "/payments/cancel", 400),
        ("POST", "/subscribe/payments/again", 400),
        ("GET", "/subscribe/customers/nobody", 404),
        ("POST", "/subscribe/payments/schedule", 400),
        ("POST", "/subscribe/payments/unschedule", 400),
        ("GET", "/subscribe/payments/schedule/order_1", 404),
        ("PUT", "/subscribe/payments/schedule/order_1", 400),
        ("GET", "/subscribe/payments/schedule", 400),
        ("GET", "/subscribe/customers/nobody/schedules", 400),
    ],
)
def test_refusals_are_envelopes(api, method, path, status):
    assert check_envelope(api.request(method, path), status=status) is None


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("GET", "/payments/..%2Fusers%2FgetToken", 404),
        ("GET", "/payments/imp_1/extra/segments", 404),
        ("GET", "/subscribe/payments/nowhere", 404),
        ("DELETE", "/payments/imp_000000000000", 405),
        ("GET", "/users/getToken", 405),
        ("PATCH", "/payments/prepare", 405),
        ("GET", "/_sandbox/reset", 405),
        ("DELETE", "/_sandbox/clock", 405),
        ("GET", "/_sandbox/payments/imp_1/cancel", 405),
        ("POST", "/_sandbox/payments/a%2Fb/cancel", 404),
        ("GET", "/_sandbox/nothing", 404),
    ],
)
def test_unknown_api_paths_and_methods_are_envelopes(api, method, path, status):
    assert check_envelope(api.request(method, path), status=status) is None


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", "/users/getToken"),
        ("POST", "/payments/prepare"),
        ("POST", "/payments/cancel"),
        ("GET", "/payments/status/all"),
        ("POST", "/subscribe/payments/again"),
        ("POST", "/_sandbox/clock/advance"),
    ],
)
def test_an_oversized_form_field_is_an_envelope(api, method, path):
    response = api.request(method, path, files={"merchant_uid": (None, "x" * 600_000)})
    assert check_envelope(response, status=413) is None
    assert response.json()["code"] == 1


def test_unknown_pages_elsewhere_stay_plain(sandbox):
    response = requests.get(f"{sandbox.url}/no-such-page", timeout=5)
    assert response.status_code == 404
    assert response.headers["Content-Type"].startswith("text/html")


NUL_REQUESTS = [
    ("GET", "/payments/imp_%00", {}),
    ("GET", "/payments", {"params": {"imp_uid[]": "imp_\x00"}}),
    ("POST", "/payments/prepare", {"json": {"merchant_uid": "order_\x00", "amount": 1000}}),
    ("POST", "/payments/prepare", {"data": {"merchant_uid": "order_\x00", "amount": "1000"}}),
    ("POST", "/payments/cancel", {"json": {"imp_uid": "imp_1", "reason": "\x00"}}),
    ("POST", "/subscribe/payments/again", {"json": {"customer_uid": "c\x00", "amount": 1}}),
    ("POST", "/_sandbox/payments/imp_%00/cancel", {"json": {}}),
]


@pytest.mark.parametrize(("method", "path", "kwargs"), NUL_REQUESTS)
def test_a_nul_character_is_an_envelope(api, method, path, kwargs):
    response = api.request(method, path, **kwargs)
    assert check_envelope(response, status=400) is None
    assert "U+0000" in response.json()["message"]


def test_a_nul_character_never_opens_a_window(sandbox):
    params = {"merchant_uid": "order_\x00", "amount": 1000, "name": "녹차"}
    form = {
        "mode": "overlay",
        "origin": "http://127.0.0.1:1",
        "request_id": "request_0001",
        "imp_code": "imp00000000",
        "params": json.dumps(params),
    }
    response = requests.post(f"{sandbox.url}/window/open", data=form, timeout=5)
    assert response.status_code == 400
    assert "U+0000" in response.text


@pytest.mark.postgres
@pytest.mark.parametrize(("method", "path", "kwargs"), NUL_REQUESTS)
def test_a_nul_character_is_an_envelope_on_postgresql(method, path, kwargs):
    app = sandbox_pkg.create_app({"SQLALCHEMY_DATABASE_URI": POSTGRES_URL})
    client = app.test_client()
    try:
        token = client.post("/users/getToken", json=KEY).get_json()["response"]["access_token"]
        kwargs = {"query_string": kwargs["params"]} if "params" in kwargs else kwargs
        response = client.open(path, method=method, headers={"Authorization": token}, **kwargs)
        assert response.status_code == 400
        assert "U+0000" in response.get_json()["message"]
    finally:
        with app.app_context():
            sandbox_db.drop_all()
