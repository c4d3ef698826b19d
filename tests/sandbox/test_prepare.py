"""``/payments/prepare``: registering, reading and changing the amount a merchant_uid must carry."""

import pytest

from tests.sandbox.contract import ok, refused


def test_register_and_read_back(api):
    registered = ok(
        api.post("/payments/prepare", json={"merchant_uid": "order_1", "amount": 14000})
    )
    assert registered == {"merchant_uid": "order_1", "amount": 14000, "currency": None}
    assert ok(api.get("/payments/prepare/order_1")) == registered


def test_register_with_a_form_and_a_currency(api):
    form = {"merchant_uid": "order_1", "amount": "14000", "currency": "krw"}
    registered = ok(api.post("/payments/prepare", data=form))
    assert registered == {"merchant_uid": "order_1", "amount": 14000, "currency": "KRW"}


def test_registering_twice_is_refused_and_keeps_the_first_amount(api):
    ok(api.post("/payments/prepare", json={"merchant_uid": "order_1", "amount": 14000}))
    second = api.post("/payments/prepare", data={"merchant_uid": "order_1", "amount": "100"})
    assert refused(second) == "이미 등록된 merchant_uid입니다"
    assert ok(api.get("/payments/prepare/order_1"))["amount"] == 14000


def test_change_a_registered_amount(api):
    ok(api.post("/payments/prepare", json={"merchant_uid": "order_1", "amount": 14000}))
    changed = ok(api.put("/payments/prepare", json={"merchant_uid": "order_1", "amount": 9000}))
    assert changed["amount"] == 9000
    assert ok(api.get("/payments/prepare/order_1"))["amount"] == 9000


def test_changing_an_unregistered_merchant_uid_is_404(api):
    refused(
        api.put("/payments/prepare", json={"merchant_uid": "order_x", "amount": 9000}),
        status=404,
        code=-1,
    )


def test_reading_an_unregistered_merchant_uid_is_404(api):
    refused(api.get("/payments/prepare/order_x"), status=404, code=-1)


@pytest.mark.parametrize(
    "amount", ["abc", "", "-1", "10.5", "1e3", "1,000", "NaN", "２３", "99999999999999999999"]
)
def test_bad_amounts_in_a_form_are_refused(api, amount):
    response = api.post("/payments/prepare", data={"merchant_uid": "order_1", "amount": amount})
    assert "amount" in refused(response, status=400)
    refused(api.get("/payments/prepare/order_1"), status=404, code=-1)


@pytest.mark.parametrize("amount", [None, "abc", -1, 10.5, True, [], {}, 1e30])
def test_bad_amounts_in_json_are_refused(api, amount):
    response = api.post("/payments/prepare", json={"merchant_uid": "order_1", "amount": amount})
    assert "amount" in refused(response, status=400)
    refused(api.get("/payments/prepare/order_1"), status=404, code=-1)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"amount": 1000}, "merchant_uid"),
        ({"merchant_uid": "", "amount": 1000}, "merchant_uid"),
        ({"merchant_uid": {"a": 1}, "amount": 1000}, "merchant_uid"),
        ({"merchant_uid": "order_1", "amount": 1000, "currency": "won!"}, "currency"),
    ],
)
def test_missing_or_malformed_fields_are_refused(api, body, field):
    assert field in refused(api.post("/payments/prepare", json=body), status=400)


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b"{not json", "application/json"),
        (b"[1, 2]", "application/json"),
        (b'{"merchant_uid": "order_1", "amount": 1' + b"]" * 10, "application/json"),
        (b"[" * 100000 + b"]" * 100000, "application/json"),
    ],
)
def test_malformed_bodies_are_refused(api, body, content_type):
    response = api.post("/payments/prepare", data=body, headers={"Content-Type": content_type})
    refused(response, status=400)


def test_json_without_a_content_type_is_read_as_json(api):
    response = api.post(
        "/payments/prepare",
        data=b'{"merchant_uid": "order_1", "amount": 5000}',
        headers={"Content-Type": "text/plain"},
    )
    assert ok(response)["amount"] == 5000


def test_an_integral_float_is_a_whole_amount(api):
    assert (
        ok(api.post("/payments/prepare", json={"merchant_uid": "o", "amount": 500.0}))["amount"]
        == 500
    )
