"""``POST /payments/cancel``: full and partial refunds, checksum, over-refunds and refusals."""

import pytest

from tests.sandbox.contract import ok, refused


def cancel(api, **body):
    return api.post("/payments/cancel", json=body)


def test_no_amount_refunds_everything(api, charge):
    paid = charge(amount=14000)
    cancelled = ok(cancel(api, imp_uid=paid["imp_uid"], reason="단순 변심"))
    assert cancelled["status"] == "cancelled"
    assert cancelled["cancel_amount"] == 14000
    assert cancelled["cancel_reason"] == "단순 변심"
    assert cancelled["cancelled_at"] > 0
    [history] = cancelled["cancel_history"]
    assert history["amount"] == 14000
    assert history["reason"] == "단순 변심"
    assert history["pg_tid"] == paid["pg_tid"]
    assert history["cancelled_at"] == cancelled["cancelled_at"]
    assert cancelled["cancel_receipt_urls"] == [history["receipt_url"]]
    assert ok(api.get(f"/payments/{paid['imp_uid']}")) == cancelled


def test_zero_amount_refunds_everything(api, charge):
    paid = charge(amount=14000)
    assert ok(cancel(api, imp_uid=paid["imp_uid"], amount=0))["cancel_amount"] == 14000


def test_partial_refunds_accumulate_until_the_whole_amount(api, charge):
    paid = charge(amount=14000)
    first = ok(cancel(api, imp_uid=paid["imp_uid"], amount=4000, reason="일부 품절"))
    assert (first["status"], first["cancel_amount"]) == ("paid", 4000)
    assert (first["cancelled_at"], first["cancel_reason"]) == (0, None)
    second = ok(cancel(api, imp_uid=paid["imp_uid"], amount=3000, checksum=10000))
    assert (second["status"], second["cancel_amount"]) == ("paid", 7000)
    last = ok(cancel(api, imp_uid=paid["imp_uid"], amount=7000, checksum=7000, reason="전부"))
    assert (last["status"], last["cancel_amount"]) == ("cancelled", 14000)
    assert last["cancel_reason"] == "전부"
    assert [c["amount"] for c in last["cancel_history"]] == [4000, 3000, 7000]
    ids = [c["cancellation_id"] for c in last["cancel_history"]]
    assert len(set(ids)) == 3


def test_partial_refund_with_a_form_by_merchant_uid(api, charge):
    paid = charge(amount=14000)
    form = {"merchant_uid": paid["merchant_uid"], "amount": "2000", "checksum": "14000"}
    refunded = ok(api.post("/payments/cancel", data=form))
    assert (refunded["imp_uid"], refunded["cancel_amount"]) == (paid["imp_uid"], 2000)


def test_merchant_uid_names_its_paid_payment(api, charge, seed_key, advance):
    paid = charge(merchant_uid="order_1")
    advance(5)
    charge(seed_key("customer_declining", decline_charges=True), merchant_uid="order_2")
    assert ok(cancel(api, merchant_uid="order_1"))["imp_uid"] == paid["imp_uid"]


def test_imp_uid_wins_over_merchant_uid(api, charge):
    first, second = charge(), charge()
    response = cancel(api, imp_uid=first["imp_uid"], merchant_uid=second["merchant_uid"])
    assert ok(response)["imp_uid"] == first["imp_uid"]
    assert ok(api.get(f"/payments/{second['imp_uid']}"))["status"] == "paid"


def test_a_checksum_mismatch_refuses_and_refunds_nothing(api, charge):
    paid = charge(amount=14000)
    ok(cancel(api, imp_uid=paid["imp_uid"], amount=4000))
    assert "checksum" in refused(cancel(api, imp_uid=paid["imp_uid"], amount=1000, checksum=14000))
    assert ok(api.get(f"/payments/{paid['imp_uid']}"))["cancel_amount"] == 4000


def test_an_over_refund_is_refused(api, charge):
    paid = charge(amount=14000)
    ok(cancel(api, imp_uid=paid["imp_uid"], amount=10000))
    assert "취소 가능 금액" in refused(cancel(api, imp_uid=paid["imp_uid"], amount=4001))
    after = ok(api.get(f"/payments/{paid['imp_uid']}"))
    assert (after["status"], after["cancel_amount"]) == ("paid", 10000)
    assert len(after["cancel_history"]) == 1


def test_an_unknown_payment_is_refused(api):
    assert refused(cancel(api, imp_uid="imp_000000000000")) == "취소할 결제건이 존재하지 않습니다."
    assert refused(cancel(api, merchant_uid="order_x")) == "취소할 결제건이 존재하지 않습니다."


def test_a_fully_cancelled_payment_is_refused(api, charge):
    paid = charge()
    ok(cancel(api, imp_uid=paid["imp_uid"]))
    assert refused(cancel(api, imp_uid=paid["imp_uid"])) == "이미 전액취소된 주문입니다."
    refused(cancel(api, imp_uid=paid["imp_uid"], amount=100))


def test_a_failed_payment_cannot_be_cancelled(api, charge, seed_key):
    failed = charge(seed_key("customer_declining", decline_charges=True))
    refused(cancel(api, imp_uid=failed["imp_uid"]))
    assert ok(api.get(f"/payments/{failed['imp_uid']}"))["status"] == "failed"


@pytest.mark.parametrize(
    "body",
    [
        {"imp_uid": None},
        {"imp_uid": None, "reason": "이유만"},
        {"amount": -1},
        {"amount": "ten"},
        {"amount": 1.5},
        {"checksum": "x"},
        {"enable_webhook": "maybe"},
        {"reason": ["a"]},
    ],
)
def test_bad_cancel_requests_are_400_and_refund_nothing(api, charge, body):
    paid = charge()
    refused(cancel(api, **{"imp_uid": paid["imp_uid"], **body}), status=400)
    assert ok(api.get(f"/payments/{paid['imp_uid']}"))["cancel_amount"] == 0
