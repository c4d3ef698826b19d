"""Billing keys (``/subscribe/customers``) and charging them with ``/subscribe/payments/again``."""

import json
import re

import pytest

from portone_sandbox import models
from tests.sandbox.contract import new_merchant_uid, ok, refused

CARD = {
    "pay_method": "card",
    "card_name": "신한카드",
    "card_code": "366",
    "card_number": "4092-12**-****-3456",
    "card_type": 0,
}


def test_get_a_billing_key(api, seed_key):
    seed_key("customer_1", customer_name="홍길동", customer_email="gildong@example.com", **CARD)
    key = ok(api.get("/subscribe/customers/customer_1"))
    assert key["customer_uid"] == "customer_1"
    assert (key["pg_provider"], key["pg_id"]) == ("kakaopay", "TCSUBSCRIP")
    assert (key["card_name"], key["card_code"], key["card_type"]) == ("신한카드", "366", 0)
    assert key["card_number"] == "4092-12**-****-3456"
    assert (key["customer_name"], key["customer_email"]) == ("홍길동", "gildong@example.com")
    assert key["inserted"] == key["updated"] > 0


def test_an_unknown_billing_key_is_404(api):
    refused(api.get("/subscribe/customers/nobody"), status=404, code=-1)
    refused(api.delete("/subscribe/customers/nobody"), status=404, code=-1)
    refused(api.get("/subscribe/customers/nobody/payments"), status=404, code=-1)


def test_reissuing_a_customer_uid_replaces_its_key(api, seed_key, charge, advance, sandbox):
    seed_key("customer_1", **CARD)
    first = ok(api.get("/subscribe/customers/customer_1"))
    charge("customer_1")
    advance(60)
    seed_key("customer_1", pay_method="point", customer_name="새 주인")
    replaced = ok(api.get("/subscribe/customers/customer_1"))
    assert (replaced["card_name"], replaced["card_number"]) == (None, None)
    assert replaced["customer_name"] == "새 주인"
    assert replaced["inserted"] == first["inserted"]
    assert replaced["updated"] >= first["updated"] + 60
    again = charge("customer_1")
    assert (again["pay_method"], again["card_name"]) == ("point", None)
    with sandbox.app.app_context():
        assert models.db.session.query(models.BillingKey).count() == 1


def test_delete_returns_the_deleted_key(api, seed_key):
    seed_key("customer_1", **CARD)
    key = ok(api.get("/subscribe/customers/customer_1"))
    assert ok(api.delete("/subscribe/customers/customer_1", params={"reason": "해지"})) == key
    refused(api.get("/subscribe/customers/customer_1"), status=404, code=-1)
    refused(api.post("/subscribe/payments/again", json=_again("customer_1")), code=-1)


def test_several_billing_keys(api, seed_key):
    seed_key("customer_1")
    seed_key("customer_2")
    both = api.get("/subscribe/customers", params={"customer_uid[]": ["customer_1", "customer_2"]})
    assert [k["customer_uid"] for k in ok(both)] == ["customer_1", "customer_2"]
    some = api.get("/subscribe/customers", params={"customer_uid[]": ["customer_2", "nobody"]})
    assert [k["customer_uid"] for k in ok(some, status=207)] == ["customer_2"]
    refused(api.get("/subscribe/customers", params={"customer_uid[]": ["x"]}), 404, code=-1)
    refused(api.get("/subscribe/customers"), status=400)


def test_payments_made_with_a_key(api, seed_key, charge, advance):
    seed_key("customer_1")
    seed_key("customer_2")
    made = []
    for _ in range(3):
        made.append(charge("customer_1")["imp_uid"])
        advance(1)
    charge("customer_2")
    page = ok(api.get("/subscribe/customers/customer_1/payments"))
    assert (page["total"], page["previous"], page["next"]) == (3, 0, 0)
    assert [p["imp_uid"] for p in page["list"]] == made[::-1]
    seed_key("customer_3")
    assert ok(api.get("/subscribe/customers/customer_3/payments"))["total"] == 0


def _again(customer_uid: str, **fields) -> dict:
    return {
        "customer_uid": customer_uid,
        "merchant_uid": new_merchant_uid(),
        "amount": 9900,
        "name": "정기결제",
        **fields,
    }


def test_again_charges_a_card_key(api, seed_key):
    seed_key("customer_1", **CARD)
    body = _again(
        "customer_1",
        buyer_name="홍길동",
        buyer_email="gildong@example.com",
        buyer_tel="010-1234-5678",
        custom_data={"plan": "monthly", "이름": "원두"},
    )
    paid = ok(api.post("/subscribe/payments/again", json=body))
    assert re.fullmatch(r"imps_\d{12}", paid["imp_uid"])
    assert re.fullmatch(r"T[0-9a-f]{19}", paid["pg_tid"])
    assert (paid["status"], paid["amount"], paid["cancel_amount"]) == ("paid", 9900, 0)
    assert (paid["channel"], paid["pg_provider"], paid["pg_id"]) == (
        "api",
        "kakaopay",
        "TCSUBSCRIP",
    )
    assert (paid["customer_uid"], paid["customer_uid_usage"]) == ("customer_1", "payment")
    assert (paid["pay_method"], paid["card_name"], paid["card_code"]) == ("card", "신한카드", "366")
    assert (paid["card_number"], paid["card_type"]) == ("4092-12**-****-3456", 0)
    assert paid["apply_num"]
    assert (paid["buyer_name"], paid["buyer_tel"]) == ("홍길동", "010-1234-5678")
    assert json.loads(paid["custom_data"]) == {"plan": "monthly", "이름": "원두"}
    assert paid["paid_at"] == paid["started_at"] > 0
    assert (paid["failed_at"], paid["cancelled_at"], paid["fail_reason"]) == (0, 0, None)
    assert paid["receipt_url"]


def test_again_with_a_form_and_a_kakaomoney_key(api, seed_key):
    seed_key("customer_1")
    form = {**_again("customer_1"), "amount": "9900", "custom_data": '{"plan":"monthly"}'}
    paid = ok(api.post("/subscribe/payments/again", data=form))
    assert (paid["status"], paid["amount"], paid["pay_method"]) == ("paid", 9900, "point")
    assert (paid["card_name"], paid["card_number"], paid["apply_num"]) == (None, None, None)
    assert paid["custom_data"] == '{"plan":"monthly"}'


def test_a_declining_key_fails_the_charge_with_code_0(api, seed_key):
    seed_key("customer_1", decline_charges=True, **CARD)
    failed = ok(api.post("/subscribe/payments/again", json=_again("customer_1")))
    assert failed["status"] == "failed"
    assert failed["fail_reason"] == "잔액이 부족합니다."
    assert failed["failed_at"] > 0
    assert (failed["paid_at"], failed["receipt_url"]) == (0, None)
    assert ok(api.get(f"/payments/{failed['imp_uid']}"))["status"] == "failed"


def test_again_with_an_unknown_customer_uid(api):
    response = api.post("/subscribe/payments/again", json=_again("nobody"))
    assert refused(response, code=-1) == "등록되지 않은 사용자입니다."


def test_a_paid_merchant_uid_cannot_be_charged_again(api, seed_key, charge):
    seed_key("customer_1")
    paid = charge("customer_1")
    body = _again("customer_1", merchant_uid=paid["merchant_uid"])
    refused(api.post("/subscribe/payments/again", json=body))
    found = ok(api.get(f"/payments/findAll/{paid['merchant_uid']}"))
    assert found["total"] == 1


def test_a_failed_merchant_uid_can_be_retried(api, seed_key):
    seed_key("customer_declining", decline_charges=True)
    seed_key("customer_1")
    failed = ok(api.post("/subscribe/payments/again", json=_again("customer_declining")))
    body = _again("customer_1", merchant_uid=failed["merchant_uid"])
    assert ok(api.post("/subscribe/payments/again", json=body))["status"] == "paid"


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"customer_uid": None}, "customer_uid"),
        ({"merchant_uid": ""}, "merchant_uid"),
        ({"amount": None}, "amount"),
        ({"amount": 0}, "amount"),
        ({"amount": "9,900"}, "amount"),
        ({"amount": -9900}, "amount"),
        ({"amount": 99.5}, "amount"),
        ({"name": None}, "name"),
        ({"currency": "USD"}, "KRW"),
        ({"notice_url": {"url": "x"}}, "notice_url"),
        ({"buyer_name": ["a", "b"]}, "buyer_name"),
    ],
)
def test_bad_again_requests_are_400_and_charge_nothing(api, seed_key, fields, field):
    seed_key("customer_1")
    body = {**_again("customer_1"), **fields}
    assert field in refused(api.post("/subscribe/payments/again", json=body), status=400)
    assert ok(api.get("/payments/status/all"))["total"] == 0
