"""Access tokens: getToken, reuse, expiry by the sandbox clock, the last-minute extension, and the
401 every other endpoint answers without a live token."""

import re

import pytest
import requests

from tests.sandbox.contract import KEY, ok, refused

UNAUTHORIZED = {"code": -1, "message": "Unauthorized", "response": None}


def get_token(sandbox, **kwargs) -> requests.Response:
    return requests.post(f"{sandbox.url}/users/getToken", timeout=5, **kwargs)


def test_get_token_with_json(sandbox):
    token = ok(get_token(sandbox, json=KEY))
    assert re.fullmatch(r"[0-9a-f]{40}", token["access_token"])
    assert token["expired_at"] - token["now"] == 30 * 60


def test_get_token_with_a_form(sandbox):
    token = ok(get_token(sandbox, data=KEY))
    assert re.fullmatch(r"[0-9a-f]{40}", token["access_token"])


@pytest.mark.parametrize(
    "body",
    [
        {"imp_key": "sandbox-key", "imp_secret": "wrong"},
        {"imp_key": "wrong", "imp_secret": "sandbox-secret"},
        {"imp_key": "sandbox-key"},
        {},
        {"imp_key": "샌드박스", "imp_secret": "비밀"},
    ],
)
def test_wrong_or_missing_credentials_are_401(sandbox, body):
    refused(get_token(sandbox, json=body), status=401, code=-1)


def test_asking_again_before_expiry_returns_the_same_token(sandbox, advance):
    first = ok(get_token(sandbox, json=KEY))
    advance(600)
    again = ok(get_token(sandbox, data=KEY))
    assert again["access_token"] == first["access_token"]
    assert again["expired_at"] == first["expired_at"]
    assert again["now"] >= first["now"] + 600


def test_asking_in_the_last_minute_extends_by_five_minutes(sandbox, advance):
    first = ok(get_token(sandbox, json=KEY))
    advance(30 * 60 - 30)
    extended = ok(get_token(sandbox, json=KEY))
    assert extended["access_token"] == first["access_token"]
    assert extended["expired_at"] == first["expired_at"] + 5 * 60
    assert ok(get_token(sandbox, json=KEY))["expired_at"] == extended["expired_at"]


def test_an_expired_token_is_refused_and_a_new_one_issued(sandbox, api, advance):
    assert api.get("/payments/status/all").status_code == 200
    advance(30 * 60)
    response = api.get("/payments/status/all")
    assert response.status_code == 401
    assert response.json() == UNAUTHORIZED
    fresh = ok(get_token(sandbox, json=KEY))
    assert fresh["access_token"] != api.token
    api.token = fresh["access_token"]
    assert api.get("/payments/status/all").status_code == 200


@pytest.mark.parametrize("scheme", ["Bearer {}", "bearer {}", "{}"])
def test_bearer_and_bare_tokens_are_both_accepted(sandbox, api, scheme):
    response = requests.get(
        f"{sandbox.url}/payments/status/all",
        headers={"Authorization": scheme.format(api.token)},
        timeout=5,
    )
    assert response.status_code == 200, response.text


@pytest.mark.parametrize(
    ("headers", "params"),
    [
        ({"X-ImpTokenHeader": "{}"}, {}),
        ({}, {"_token": "{}"}),
        ({"X-ImpTokenHeader": "{}"}, {"_token": "garbage"}),
    ],
    ids=["X-ImpTokenHeader", "_token", "header-first"],
)
def test_older_clients_send_the_token_as_a_header_or_a_query_parameter(
    sandbox, api, headers, params
):
    response = requests.post(
        f"{sandbox.url}/payments/prepare",
        headers={name: value.format(api.token) for name, value in headers.items()},
        params={name: value.format(api.token) for name, value in params.items()},
        json={"merchant_uid": "order_1", "amount": 1000},
        timeout=5,
    )
    assert ok(response)["amount"] == 1000


@pytest.mark.parametrize(
    ("headers", "params"),
    [
        ({"X-ImpTokenHeader": "0" * 40}, {}),
        ({}, {"_token": "0" * 40}),
        ({"X-ImpTokenHeader": ""}, {"_token": ""}),
        ({"Authorization": "Bearer " + "0" * 40, "X-ImpTokenHeader": "{}"}, {"_token": "{}"}),
    ],
    ids=["unknown-header", "unknown-query", "empty", "authorization-wins"],
)
def test_a_token_in_the_older_places_must_be_live(sandbox, api, headers, params):
    response = requests.get(
        f"{sandbox.url}/payments/status/all",
        headers={name: value.format(api.token) for name, value in headers.items()},
        params={name: value.format(api.token) for name, value in params.items()},
        timeout=5,
    )
    assert response.status_code == 401
    assert response.json() == UNAUTHORIZED


def test_an_expired_token_is_refused_in_the_older_places_too(sandbox, api, advance):
    advance(30 * 60)
    response = requests.get(
        f"{sandbox.url}/payments/status/all",
        headers={"X-ImpTokenHeader": api.token},
        params={"_token": api.token},
        timeout=5,
    )
    assert response.status_code == 401


ENDPOINTS = [
    ("GET", "/payments/imp_000000000000"),
    ("GET", "/payments?imp_uid[]=imp_000000000000"),
    ("GET", "/payments/find/order_1"),
    ("GET", "/payments/find/order_1/paid"),
    ("GET", "/payments/findAll/order_1"),
    ("GET", "/payments/findAll/order_1/paid"),
    ("GET", "/payments/status/all"),
    ("POST", "/payments/prepare"),
    ("PUT", "/payments/prepare"),
    ("GET", "/payments/prepare/order_1"),
    ("POST", "/payments/cancel"),
    ("GET", "/subscribe/customers/customer_1"),
    ("DELETE", "/subscribe/customers/customer_1"),
    ("GET", "/subscribe/customers?customer_uid[]=customer_1"),
    ("GET", "/subscribe/customers/customer_1/payments"),
    ("POST", "/subscribe/payments/again"),
    ("POST", "/subscribe/payments/schedule"),
    ("POST", "/subscribe/payments/unschedule"),
    ("GET", "/subscribe/payments/schedule/order_1"),
    ("PUT", "/subscribe/payments/schedule/order_1"),
    ("GET", "/subscribe/payments/schedule?schedule_from=0&schedule_to=1"),
    ("GET", "/subscribe/payments/schedule/customers/customer_1?from=0&to=1"),
    ("GET", "/subscribe/customers/customer_1/schedules?from=0&to=1"),
]


@pytest.mark.parametrize(("method", "path"), ENDPOINTS)
@pytest.mark.parametrize("authorization", [None, "", "Bearer ", "Bearer " + "0" * 40, "garbage"])
def test_every_endpoint_needs_a_live_token(sandbox, method, path, authorization):
    headers = {} if authorization is None else {"Authorization": authorization}
    response = requests.request(method, sandbox.url + path, headers=headers, timeout=5)
    assert response.status_code == 401
    assert response.json() == UNAUTHORIZED
