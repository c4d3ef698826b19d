"""Looking payments up: by imp_uid, several at once, by merchant_uid, and by status, paged."""

import pytest

from tests.sandbox.contract import ok, refused


@pytest.fixture
def declining_key(seed_key):
    return seed_key("customer_declining", decline_charges=True)


def test_get_a_payment_by_imp_uid(api, charge):
    paid = charge()
    assert ok(api.get(f"/payments/{paid['imp_uid']}")) == paid


def test_an_unknown_imp_uid_is_404(api):
    refused(api.get("/payments/imp_000000000000"), status=404, code=-1)


def test_several_payments_all_found_is_200(api, charge):
    first, second = charge(), charge()
    found = ok(
        api.get(
            "/payments",
            params={"imp_uid[]": [first["imp_uid"]], "merchant_uid[]": [second["merchant_uid"]]},
        )
    )
    assert [p["imp_uid"] for p in found] == [first["imp_uid"], second["imp_uid"]]


def test_several_payments_some_found_is_207(api, charge):
    paid = charge()
    response = api.get("/payments", params={"imp_uid[]": [paid["imp_uid"], "imp_000000000000"]})
    assert [p["imp_uid"] for p in ok(response, status=207)] == [paid["imp_uid"]]


def test_several_payments_none_found_is_404(api):
    response = api.get("/payments", params={"imp_uid[]": ["imp_1"], "merchant_uid[]": ["x"]})
    refused(response, status=404, code=-1)


def test_several_payments_need_at_least_one_uid(api):
    refused(api.get("/payments"), status=400)


def test_find_returns_the_latest_payment_of_a_merchant_uid(api, charge, declining_key, advance):
    failed = charge(declining_key, merchant_uid="order_1")
    advance(5)
    paid = charge(merchant_uid="order_1")
    assert ok(api.get("/payments/find/order_1"))["imp_uid"] == paid["imp_uid"]
    oldest = api.get("/payments/find/order_1", params={"sorting": "started"})
    assert ok(oldest)["imp_uid"] == failed["imp_uid"]
    assert ok(api.get("/payments/find/order_1/failed"))["imp_uid"] == failed["imp_uid"]
    assert ok(api.get("/payments/find/order_1/paid"))["imp_uid"] == paid["imp_uid"]


def test_find_nothing_is_404(api, charge):
    charge(merchant_uid="order_1")
    refused(api.get("/payments/find/order_x"), status=404, code=-1)
    refused(api.get("/payments/find/order_1/cancelled"), status=404, code=-1)


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/payments/find/order_1/refunded", {}),
        ("/payments/find/order_1", {"sorting": "newest"}),
        ("/payments/findAll/order_1/all", {}),
        ("/payments/findAll/order_1", {"page": "0"}),
        ("/payments/findAll/order_1", {"limit": "1001"}),
        ("/payments/findAll/order_1", {"page": "two"}),
    ],
)
def test_bad_lookup_parameters_are_400(api, charge, path, params):
    charge(merchant_uid="order_1")
    refused(api.get(path, params=params), status=400)


def test_find_all_pages_every_payment_of_a_merchant_uid(api, charge, declining_key, advance):
    made = []
    for _ in range(3):
        made.append(charge(declining_key, merchant_uid="order_1"))
        advance(1)
    made.append(charge(merchant_uid="order_1"))
    charge(merchant_uid="order_2")
    first = ok(api.get("/payments/findAll/order_1", params={"limit": 3}))
    assert (first["total"], first["previous"], first["next"]) == (4, 0, 2)
    newest_first = [p["imp_uid"] for p in reversed(made)]
    assert [p["imp_uid"] for p in first["list"]] == newest_first[:3]
    second = ok(api.get("/payments/findAll/order_1", params={"limit": 3, "page": 2}))
    assert (second["total"], second["previous"], second["next"]) == (4, 1, 0)
    assert [p["imp_uid"] for p in second["list"]] == newest_first[3:]
    failed = ok(api.get("/payments/findAll/order_1/failed"))
    assert failed["total"] == 3
    assert {p["status"] for p in failed["list"]} == {"failed"}
    refused(api.get("/payments/findAll/order_1", params={"page": 3, "limit": 3}), status=400)


def test_find_all_of_an_unknown_merchant_uid_is_404(api, charge):
    charge(merchant_uid="order_1")
    refused(api.get("/payments/findAll/order_x"), status=404, code=-1)
    refused(api.get("/payments/findAll/order_1/cancelled"), status=404, code=-1)


def test_payments_by_status(api, charge, declining_key):
    paid, failed = charge(), charge(declining_key)
    cancelled = charge()
    ok(api.post("/payments/cancel", json={"imp_uid": cancelled["imp_uid"]}))

    def listed(status: str, **params) -> list[str]:
        page = ok(api.get(f"/payments/status/{status}", params=params))
        assert page["total"] == len(page["list"])
        return sorted(p["imp_uid"] for p in page["list"])

    assert listed("paid") == [paid["imp_uid"]]
    assert listed("failed") == [failed["imp_uid"]]
    assert listed("cancelled") == [cancelled["imp_uid"]]
    assert listed("ready") == []
    assert listed("all") == sorted(p["imp_uid"] for p in (paid, failed, cancelled))


def test_payments_by_status_are_paged(api, charge, advance):
    made = []
    for _ in range(5):
        made.append(charge()["imp_uid"])
        advance(1)
    first = ok(api.get("/payments/status/paid", params={"limit": 2}))
    assert (first["total"], first["previous"], first["next"]) == (5, 0, 2)
    assert [p["imp_uid"] for p in first["list"]] == made[::-1][:2]
    last = ok(api.get("/payments/status/paid", params={"limit": 2, "page": 3}))
    assert (last["previous"], last["next"]) == (2, 0)
    assert [p["imp_uid"] for p in last["list"]] == [made[0]]
    oldest_first = ok(api.get("/payments/status/paid", params={"sorting": "paid", "limit": 5}))
    assert [p["imp_uid"] for p in oldest_first["list"]] == made


def test_payments_by_status_within_from_and_to(api, charge, advance):
    early = charge()
    advance(600)
    late = charge()
    cut = late["paid_at"] - 300
    before = ok(api.get("/payments/status/paid", params={"to": cut}))
    assert [p["imp_uid"] for p in before["list"]] == [early["imp_uid"]]
    after = ok(api.get("/payments/status/paid", params={"from": cut}))
    assert [p["imp_uid"] for p in after["list"]] == [late["imp_uid"]]


def test_payments_older_than_90_days_need_from_and_to(api, charge, advance):
    old = charge()
    advance(91 * 86400)
    api.renew()
    assert ok(api.get("/payments/status/all"))["total"] == 0
    window = {"from": old["paid_at"] - 10, "to": old["paid_at"] + 10}
    assert ok(api.get("/payments/status/all", params=window))["total"] == 1


@pytest.mark.parametrize(
    ("status", "params"),
    [
        ("refunded", {}),
        ("PAID", {}),
        ("all", {"from": "yesterday"}),
        ("all", {"from": 100, "to": 50}),
        ("all", {"from": 0, "to": 91 * 86400}),
        ("all", {"limit": 0}),
        ("all", {"page": 2}),
        ("all", {"sorting": "amount"}),
    ],
)
def test_bad_status_queries_are_400(api, status, params):
    refused(api.get(f"/payments/status/{status}", params=params), status=400)
