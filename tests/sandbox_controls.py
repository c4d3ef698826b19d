"""The sandbox's test controls (``/_sandbox/…``), called the way tests and scripts must: with the
sandbox's API secret as a bearer token."""

import time

import requests

SANDBOX_SECRET = "sandbox-secret"
AUTHORIZATION = {"Authorization": f"Bearer {SANDBOX_SECRET}"}
# How long a test waits for webhooks to arrive or deliveries to settle before it fails: they
# come within a second, but a loaded machine can take several.
LONGEST_WAIT = 30.0


def control(method: str, url: str, **kwargs) -> requests.Response:
    """Call the control at ``url`` (a full URL) with the sandbox's secret."""
    headers = {**AUTHORIZATION, **kwargs.pop("headers", {})}
    kwargs.setdefault("timeout", 5)
    return requests.request(method, url, headers=headers, **kwargs)


def arm_fault(base_url: str, **fault) -> dict:
    """Arm a fault (``kind``, ``count``, ``endpoint``, ``delay``, ``copies``) in the sandbox at
    ``base_url``; returns it as the sandbox lists it."""
    response = control("POST", f"{base_url}/_sandbox/faults", json=fault)
    assert response.status_code == 201, response.text
    return response.json()["fault"]


def reset_sandbox(base_url: str) -> None:
    """Empty the sandbox served at ``base_url`` (its mount point, e.g. ``…/portone-sandbox``)."""
    control("POST", f"{base_url}/_sandbox/reset").raise_for_status()


def webhook_log(base_url: str, **params) -> dict:
    """The delivery log of the sandbox at ``base_url``. With ``wait_for``/``idle`` and no
    ``timeout``: once that state is reached, for up to ``LONGEST_WAIT`` seconds (the sandbox
    ends each long-poll after a few, so this asks again)."""
    deadline = time.monotonic() + LONGEST_WAIT
    while True:
        response = control("GET", f"{base_url}/_sandbox/webhooks", params=params, timeout=15)
        assert response.status_code == 200, response.text
        log = response.json()
        if log["settled"] or "timeout" in params or time.monotonic() > deadline:
            return log
