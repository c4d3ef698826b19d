"""The sandbox's test controls (``/_sandbox/…``), called the way tests and scripts must: with the
sandbox's API secret as a bearer token."""

import requests

SANDBOX_SECRET = "sandbox-secret"
AUTHORIZATION = {"Authorization": f"Bearer {SANDBOX_SECRET}"}


def control(method: str, url: str, **kwargs) -> requests.Response:
    """Call the control at ``url`` (a full URL) with the sandbox's secret."""
    headers = {**AUTHORIZATION, **kwargs.pop("headers", {})}
    kwargs.setdefault("timeout", 5)
    return requests.request(method, url, headers=headers, **kwargs)


def reset_sandbox(base_url: str) -> None:
    """Empty the sandbox served at ``base_url`` (its mount point, e.g. ``…/portone-sandbox``)."""
    control("POST", f"{base_url}/_sandbox/reset").raise_for_status()
