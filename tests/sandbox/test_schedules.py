"""Scheduled payments over the REST API: booking, looking up, moving, revoking and searching them,
and every refusal. Running them is ``test_schedule_runner.py``."""

import json

import pytest

from tests.sandbox.contract import ok, refused, schedule_entry

HOUR = 3600
DAY = 24 * HOUR


@pytest.fixture
def customer(seed_key):
    return seed_key(
        "customer_1",
        customer_name="홍길동",
        customer_email="gildong@example.com",
        customer_tel="010-1234-5678",
    )


def test_booking_answers_a_schedule_result_per_entry(customer, book, clock):
    at = clock() + DAY
    first = schedule_entry(at, custom_data={"plan": "monthly"}, buyer_name="김철수")
    second = schedule_entry(at + DAY, amount=19900, currency="KRW")
    booked = book(customer, first, second)

    assert [s["merchant_uid"] for s in booked] == [first["merchant_uid"], second["merchant_uid"]]
    one, two = booked
    assert (one["customer_uid"], one["schedule_at"], one["amount"]) == (customer, at, 9900)
    assert (one["schedule_status"], one["payment_status"], one["imp_uid"]) == (
        "scheduled",
        None,
        None,
    )
    assert (one["executed_at"], one["revoked_at"], one["fail_reason"]) == (0, 0, None)
    assert (one["pg_provider"], one["pg_id"], one["currency"]) == ("kakaopay", "TCSUBSCRIP", "KRW")
    assert json.loads(one["custom_data"]) == {"plan": "monthly"}
    # Buyer fields left out come from the key's customer fields; those sent win.
    assert (one["buyer_name"], one["buyer_email"]) == ("김철수", "gildong@example.com")
    assert (two["buyer_name"], two["buyer_tel"], two["amount"]) == (
        "홍길동",
        "010-1234-5678",
        19900,
    )


def test_booking_with_a_form(api, customer, clock):
    at = clock() + DAY
    form = {
        "customer_uid": customer,
        "schedules[0][merchant_uid]": "order_form_1",
        "schedules[0][schedule_at]": str(at),
        "schedules[0][amount]": "9900",
        "schedules[0][name]": "월간",
        "schedules[1][merchant_uid]": "order_form_2",
        "schedules[1][schedule_at]": str(at + DAY),
        "schedules[1][amount]": "9900",
        "schedules[1][name]": "월간",
    }
    booked = ok(api.post("/subscribe/payments/schedule", data=form))
    assert [(s["merchant_uid"], s["schedule_at"]) for s in booked] == [
        ("order_form_1", at),
        ("order_form_2", at + DAY),
    ]
    as_json = {"customer_uid": customer, "schedules": json.dumps([schedule_entry(at)])}
    assert len(ok(api.post("/subscribe/payments/schedule", data=as_json))) == 1


def test_an_unknown_customer_uid_is_refused(api, clock):
    body = {"customer_uid": "nobody", "schedules": [schedule_entry(clock() + DAY)]}
    assert (
        refused(api.post("/subscribe/payments/schedule", json=body))
        == "등록되지 않은 구매자입니다."
    )


def test_a_booked_merchant_uid_is_refused_and_nothing_is_booked(api, customer, book, clock):
    at = clock() + DAY
    taken = book(customer, schedule_entry(at))[0]["merchant_uid"]
    fresh = schedule_entry(at)
    body = {"customer_uid": customer, "schedules": [fresh, schedule_entry(at, merchant_uid=taken)]}
    message = refused(api.post("/subscribe/payments/schedule", json=body))
    assert message == "이미 결제예약된 merchant_uid입니다."
    refused(api.get(f"/subscribe/payments/schedule/{fresh['merchant_uid']}"), status=404, code=-1)


def test_a_merchant_uid_twice_in_one_request_is_refused(api, customer, clock):
    entry = schedule_entry(clock() + DAY)
    body = {
        "customer_uid": customer,
        "schedules": [entry, {**entry, "schedule_at": entry["schedule_at"] + 1}],
    }
    refused(api.post("/subscribe/payments/schedule", json=body))
    refused(api.get(f"/subscribe/payments/schedule/{entry['merchant_uid']}"), status=404, code=-1)


def test_a_paid_merchant_uid_cannot_be_booked(api, customer, charge, clock):
    paid = charge(customer)
    body = {
        "customer_uid": customer,
        "schedules": [schedule_entry(clock() + DAY, merchant_uid=paid["merchant_uid"])],
    }
    assert refused(api.post("/subscribe/payments/schedule", json=body)) == (
        "이미 결제가 이루어진 거래건입니다."
    )


def test_a_revoked_merchant_uid_can_be_booked_again(api, customer, book, clock):
    entry = schedule_entry(clock() + DAY)
    book(customer, entry)
    ok(api.post("/subscribe/payments/unschedule", json={"merchant_uid": [entry["merchant_uid"]]}))
    rebooked = book(customer, {**entry, "schedule_at": entry["schedule_at"] + DAY})[0]
    assert rebooked["schedule_status"] == "scheduled"
    found = ok(api.get(f"/subscribe/payments/schedule/{entry['merchant_uid']}"))
    assert (found["schedule_status"], found["schedule_at"]) == (
        "scheduled",
        entry["schedule_at"] + DAY,
    )


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"customer_uid": None}, "customer_uid"),
        ({"schedules": None}, "schedules"),
        ({"schedules": []}, "schedules"),
        ({"schedules": {"merchant_uid": "x"}}, "schedules"),
        ({"schedules": ["order_1"]}, "schedules"),
        ({"schedules": "not json"}, "schedules"),
        ({"entry": {"merchant_uid": None}}, "merchant_uid"),
        ({"entry": {"schedule_at": None}}, "schedule_at"),
        ({"entry": {"schedule_at": "tomorrow"}}, "schedule_at"),
        ({"entry": {"schedule_at": 1}}, "schedule_at"),
        ({"entry": {"amount": None}}, "amount"),
        ({"entry": {"amount": 0}}, "amount"),
        ({"entry": {"amount": -9900}}, "amount"),
        ({"entry": {"amount": 99.5}}, "amount"),
        ({"entry": {"name": None}}, "name"),
        ({"entry": {"currency": "USD"}}, "KRW"),
        ({"entry": {"notice_url": "javascript:alert(1)"}}, "notice_url"),
        ({"entry": {"buyer_name": ["a", "b"]}}, "buyer_name"),
    ],
)
def test_bad_bookings_are_400_and_book_nothing(api, customer, clock, change, field):
    entry = {**schedule_entry(clock() + DAY), **change.get("entry", {})}
    body = {"customer_uid": customer, "schedules": [entry]}
    body.update((name, value) for name, value in change.items() if name != "entry")
    assert field in refused(api.post("/subscribe/payments/schedule", json=body), status=400)
    window = {"schedule_from": clock(), "schedule_to": clock() + 60 * DAY}
    assert ok(api.get("/subscribe/payments/schedule", params=window))["total"] == 0


def test_more_than_a_hundred_at_once_is_400(api, customer, clock):
    at = clock() + DAY
    body = {"customer_uid": customer, "schedules": [schedule_entry(at) for _ in range(101)]}
    refused(api.post("/subscribe/payments/schedule", json=body), status=400)


def test_a_notice_url_outside_the_allowed_ones_is_refused(
    api, customer, clock, sandbox, monkeypatch
):
    monkeypatch.setitem(
        sandbox.app.config, "SANDBOX_WEBHOOK_ALLOWED_URLS", ["https://shop.example/webhook"]
    )
    allowed = schedule_entry(clock() + DAY, notice_url="https://shop.example/webhook")
    ok(
        api.post(
            "/subscribe/payments/schedule", json={"customer_uid": customer, "schedules": [allowed]}
        )
    )
    foreign = schedule_entry(clock() + DAY, notice_url="http://169.254.169.254/latest")
    body = {"customer_uid": customer, "schedules": [foreign]}
    assert "notice_url" in refused(api.post("/subscribe/payments/schedule", json=body), status=400)


def test_get_a_schedule_by_merchant_uid(api, customer, book, clock):
    booked = book(customer, schedule_entry(clock() + DAY))[0]
    assert ok(api.get(f"/subscribe/payments/schedule/{booked['merchant_uid']}")) == booked
    response = api.get("/subscribe/payments/schedule/order_unknown")
    assert refused(response, status=404, code=-1) == "결제예약 정보가 존재하지 않습니다."


def test_put_moves_a_booking(api, customer, book, clock):
    booked = book(customer, schedule_entry(clock() + DAY))[0]
    path = f"/subscribe/payments/schedule/{booked['merchant_uid']}"
    later = booked["schedule_at"] + 7 * DAY
    moved = ok(api.put(path, json={"schedule_at": later}))
    assert (moved["merchant_uid"], moved["schedule_at"]) == (booked["merchant_uid"], later)
    assert ok(api.get(path))["schedule_at"] == later
    assert ok(api.put(path, data={"schedule_at": str(later + 1)}))["schedule_at"] == later + 1


def test_put_refusals(api, customer, book, clock):
    booked = book(customer, schedule_entry(clock() + DAY))[0]
    path = f"/subscribe/payments/schedule/{booked['merchant_uid']}"
    assert "schedule_at" in refused(api.put(path, json={}), status=400)
    refused(api.put(path, json={"schedule_at": clock() - 60}), status=400)
    refused(
        api.put("/subscribe/payments/schedule/order_unknown", json={"schedule_at": clock() + DAY}),
        404,
        -1,
    )
    ok(api.post("/subscribe/payments/unschedule", json={"merchant_uid": [booked["merchant_uid"]]}))
    message = refused(api.put(path, json={"schedule_at": clock() + 2 * DAY}), status=400)
    assert message == "이미 실행되었거나 취소된 결제예약입니다."
    assert ok(api.get(path))["schedule_at"] == booked["schedule_at"]


def test_unschedule_all_of_a_customers_bookings(api, customer, seed_key, book, clock):
    at = clock() + DAY
    mine = book(customer, schedule_entry(at), schedule_entry(at + DAY))
    other = book(seed_key("customer_2"), schedule_entry(at))[0]
    revoked = ok(api.post("/subscribe/payments/unschedule", json={"customer_uid": customer}))

    assert [s["merchant_uid"] for s in revoked] == [s["merchant_uid"] for s in mine]
    assert {s["schedule_status"] for s in revoked} == {"revoked"}
    assert all(s["revoked_at"] > 0 for s in revoked)
    kept = ok(api.get(f"/subscribe/payments/schedule/{other['merchant_uid']}"))
    assert kept["schedule_status"] == "scheduled"


def test_unschedule_the_listed_merchant_uids(api, customer, seed_key, book, clock):
    at = clock() + DAY
    one, two, three = book(customer, *(schedule_entry(at) for _ in range(3)))
    other = book(seed_key("customer_2"), schedule_entry(at))[0]
    form = {
        "customer_uid": customer,
        "merchant_uid[]": [one["merchant_uid"], other["merchant_uid"]],
    }
    revoked = ok(api.post("/subscribe/payments/unschedule", data=form))
    # With a customer_uid, only that customer's bookings are revoked.
    assert [s["merchant_uid"] for s in revoked] == [one["merchant_uid"]]
    by_merchant_uid = {"merchant_uid": [two["merchant_uid"], other["merchant_uid"]]}
    revoked = ok(api.post("/subscribe/payments/unschedule", json=by_merchant_uid))
    assert {s["merchant_uid"] for s in revoked} == {two["merchant_uid"], other["merchant_uid"]}
    left = ok(api.get(f"/subscribe/payments/schedule/{three['merchant_uid']}"))
    assert left["schedule_status"] == "scheduled"


def test_nothing_to_unschedule_is_code_1(api, customer, book, clock):
    message = refused(api.post("/subscribe/payments/unschedule", json={"customer_uid": customer}))
    assert message == "취소할 예약결제 기록이 존재하지 않습니다."
    booked = book(customer, schedule_entry(clock() + DAY))[0]
    body = {"merchant_uid": [booked["merchant_uid"]]}
    ok(api.post("/subscribe/payments/unschedule", json=body))
    refused(api.post("/subscribe/payments/unschedule", json=body))
    refused(api.post("/subscribe/payments/unschedule", json={"merchant_uid": ["order_unknown"]}))
    refused(api.post("/subscribe/payments/unschedule", json={}), status=400)


@pytest.fixture
def booked_over_days(customer, seed_key, book, clock):
    """Five bookings of customer_1 a day apart from tomorrow, the last one revoked, and one of
    customer_2: (now, customer_1's in booking order)."""
    start = clock()
    mine = book(customer, *(schedule_entry(start + (n + 1) * DAY) for n in range(5)))
    book(seed_key("customer_2"), schedule_entry(start + 2 * DAY))
    return start, mine


def test_search_by_schedule_at_is_paged_latest_first(api, booked_over_days):
    start, _ = booked_over_days
    window = {"schedule_from": start + DAY, "schedule_to": start + 5 * DAY}
    page = ok(api.get("/subscribe/payments/schedule", params=window))
    # from <= schedule_at < to: the first four of customer_1 and customer_2's.
    assert (page["total"], page["previous"], page["next"]) == (5, 0, 0)
    assert [s["schedule_at"] for s in page["list"]] == [start + d * DAY for d in (4, 3, 2, 2, 1)]

    first = ok(api.get("/subscribe/payments/schedule", params={**window, "limit": 2}))
    assert (first["total"], first["previous"], first["next"], len(first["list"])) == (5, 0, 2, 2)
    last = ok(api.get("/subscribe/payments/schedule", params={**window, "limit": 2, "page": 3}))
    assert (last["previous"], last["next"], len(last["list"])) == (2, 0, 1)
    oldest = ok(api.get("/subscribe/payments/schedule", params={**window, "sorting": "scheduled"}))
    assert oldest["list"][0]["schedule_at"] == start + DAY


def test_search_by_status(api, booked_over_days):
    start, mine = booked_over_days
    ok(
        api.post(
            "/subscribe/payments/unschedule", json={"merchant_uid": [mine[-1]["merchant_uid"]]}
        )
    )
    window = {"schedule_from": start, "schedule_to": start + 30 * DAY}
    revoked = ok(
        api.get("/subscribe/payments/schedule", params={**window, "schedule_status": "revoked"})
    )
    assert [s["merchant_uid"] for s in revoked["list"]] == [mine[-1]["merchant_uid"]]
    scheduled = {**window, "schedule_status": "scheduled"}
    assert ok(api.get("/subscribe/payments/schedule", params=scheduled))["total"] == 5
    executed = {**window, "schedule_status": "executed"}
    assert ok(api.get("/subscribe/payments/schedule", params=executed))["total"] == 0


@pytest.mark.parametrize(
    "path", ["/subscribe/payments/schedule/customers/{}", "/subscribe/customers/{}/schedules"]
)
def test_a_customers_schedules(api, booked_over_days, customer, path):
    start, mine = booked_over_days
    ok(api.post("/subscribe/payments/unschedule", json={"merchant_uid": [mine[0]["merchant_uid"]]}))
    window = {"from": start, "to": start + 30 * DAY}
    page = ok(api.get(path.format(customer), params=window))
    assert (page["total"], page["previous"], page["next"]) == (5, 0, 0)
    assert [s["merchant_uid"] for s in page["list"]] == [s["merchant_uid"] for s in mine[::-1]]
    revoked = ok(api.get(path.format(customer), params={**window, "schedule-status": "revoked"}))
    assert [s["merchant_uid"] for s in revoked["list"]] == [mine[0]["merchant_uid"]]
    page_two = ok(api.get(path.format(customer), params={**window, "limit": 2, "page": 2}))
    assert [s["merchant_uid"] for s in page_two["list"]] == [
        s["merchant_uid"] for s in mine[1:3][::-1]
    ]
    nobody = ok(api.get(path.format("nobody"), params=window))
    assert (nobody["total"], nobody["list"]) == (0, [])


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/subscribe/payments/schedule", {"schedule_to": 1}),
        ("/subscribe/payments/schedule", {"schedule_from": 1}),
        ("/subscribe/payments/schedule", {"schedule_from": 2, "schedule_to": 1}),
        ("/subscribe/payments/schedule", {"schedule_from": 0, "schedule_to": 93 * DAY}),
        ("/subscribe/payments/schedule", {"schedule_from": 0, "schedule_to": 1, "page": 0}),
        ("/subscribe/payments/schedule", {"schedule_from": 0, "schedule_to": 1, "page": 2}),
        ("/subscribe/payments/schedule", {"schedule_from": 0, "schedule_to": 1, "limit": 1001}),
        ("/subscribe/payments/schedule", {"schedule_from": 0, "schedule_to": 1, "sorting": "x"}),
        (
            "/subscribe/payments/schedule",
            {"schedule_from": 0, "schedule_to": 1, "schedule_status": "paid"},
        ),
        ("/subscribe/customers/customer_1/schedules", {"to": 1}),
        ("/subscribe/customers/customer_1/schedules", {"from": "yesterday", "to": 1}),
        ("/subscribe/payments/schedule/customers/customer_1", {"from": 0}),
    ],
)
def test_bad_searches_are_400(api, path, params):
    refused(api.get(path, params=params), status=400)


def test_deleting_a_key_revokes_its_bookings(api, customer, book, clock):
    booked = book(customer, schedule_entry(clock() + DAY))[0]
    ok(api.delete(f"/subscribe/customers/{customer}"))
    revoked = ok(api.get(f"/subscribe/payments/schedule/{booked['merchant_uid']}"))
    assert (revoked["schedule_status"], revoked["revoked_at"] > 0) == ("revoked", True)
    assert revoked["imp_uid"] is None
