"""Who may drive the ``/_sandbox/`` controls (only a caller holding the sandbox's secret, never a
page on another site), and how long the webhook log's long-poll may hold a worker."""

import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from tests.sandbox.contract import ok, refused
from tests.sandbox_controls import control

ATTACKER = "https://attacker.example"
CONTROLS = [
    ("POST", "/_sandbox/reset"),
    ("POST", "/_sandbox/clock/advance"),
    ("POST", "/_sandbox/payments/{imp_uid}/cancel"),
    ("GET", "/_sandbox/clock"),
    ("GET", "/_sandbox/webhooks"),
    ("POST", "/_sandbox/schedules/run"),
]


@pytest.mark.parametrize(("method", "path"), CONTROLS)
@pytest.mark.parametrize(
    "authorization",
    [None, "Bearer wrong-secret", "Bearer ", "Basic c2FuZGJveC1zZWNyZXQ=", "access-token"],
)
def test_the_controls_refuse_anyone_without_the_secret(
    sandbox, api, charge, method, path, authorization
):
    paid = charge()
    if authorization == "access-token":
        # A REST API token is not the secret.
        authorization = f"Bearer {api.token}"
    # What a page on another site can make a browser send: a plain form post, no credentials.
    headers = {"Origin": ATTACKER, "Content-Type": "application/x-www-form-urlencoded"}
    if authorization:
        headers["Authorization"] = authorization
    response = requests.request(
        method,
        sandbox.url + path.format(imp_uid=paid["imp_uid"]),
        data="seconds=86400&amount=1000&wait_for=1&timeout=30",
        headers=headers,
        timeout=5,
    )

    refused(response, status=401, code=-1)
    assert ok(api.get(f"/payments/{paid['imp_uid']}"))["status"] == "paid"
    assert control("GET", f"{sandbox.url}/_sandbox/clock").json()["offset"] == 0


def test_no_other_site_may_send_the_secret(sandbox):
    """A header like Authorization needs a CORS preflight, which the sandbox never grants."""
    preflight = requests.options(
        f"{sandbox.url}/_sandbox/reset",
        headers={
            "Origin": ATTACKER,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization",
        },
        timeout=5,
    )
    assert "Access-Control-Allow-Origin" not in preflight.headers
    assert "Access-Control-Allow-Headers" not in preflight.headers


def test_a_long_poll_ends_after_the_longest_wait(sandbox, monkeypatch):
    monkeypatch.setitem(sandbox.app.config, "SANDBOX_CONTROL_MAX_WAIT", 0.5)
    started = time.monotonic()
    response = control(
        "GET",
        f"{sandbox.url}/_sandbox/webhooks",
        params={"wait_for": 1, "timeout": 3600},
        timeout=10,
    )
    assert response.json()["settled"] is False
    assert time.monotonic() - started < 5


def test_the_default_longest_wait_is_a_few_seconds(sandbox):
    assert 0 < sandbox.app.config["SANDBOX_CONTROL_MAX_WAIT"] <= 10


def test_waiters_past_the_limit_are_turned_away(
    sandbox, charge, receiver, held_answers, monkeypatch
):
    monkeypatch.setitem(sandbox.app.config, "SANDBOX_CONTROL_MAX_WAITERS", 2)
    # Long enough that the two waiters still wait however slowly the third request comes.
    monkeypatch.setitem(sandbox.app.config, "SANDBOX_CONTROL_MAX_WAIT", 60)
    charge(notice_url=receiver.url)
    receiver.wait_for(1)
    url = f"{sandbox.url}/_sandbox/webhooks"

    with ThreadPoolExecutor(2) as pool:
        waiting = [
            pool.submit(control, "GET", url, params={"idle": "true", "timeout": 60}, timeout=90)
            for _ in range(2)
        ]
        # Knocking before both wait would take a place one of them needs.
        until(lambda: waiters(sandbox.app) == 2)
        refused(control("GET", url, params={"idle": "true", "timeout": 0}), status=429, code=-1)
        receiver.open.set()
        assert [future.result().json()["settled"] for future in waiting] == [True, True]

    # Once they are answered, waiting is allowed again.
    assert control("GET", url, params={"idle": "true", "timeout": 1}).json()["settled"] is True


def waiters(app) -> int:
    """How many long-polls of the webhook log are waiting in the sandbox now."""
    return app.extensions["sandbox_webhooks"].waiting


def until(condition, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "never happened"
        time.sleep(0.01)
