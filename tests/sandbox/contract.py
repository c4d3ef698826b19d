"""What the sandbox's contract tests share: a PortOne client in miniature, envelope checks, and
a webhook receiver."""

import itertools
import json
import re
import threading

import requests
from werkzeug.wrappers import Request, Response

from tests.sandbox_controls import LONGEST_WAIT

KEY = {"imp_key": "sandbox-key", "imp_secret": "sandbox-secret"}
# Where a window's result page keeps the rsp it hands to the merchant page.
RESULT = re.compile(r'<script type="application/json" id="imp-result">(.*?)</script>', re.S)
_merchant_uids = itertools.count(1)


class Api:
    """A PortOne client in miniature: the sandbox's base URL and an access token."""

    def __init__(self, base_url: str, token: str):
        self.base_url = base_url
        self.token = token

    def renew(self) -> None:
        """Take a fresh token, as a client does once the sandbox clock has passed its expiry."""
        response = requests.post(f"{self.base_url}/users/getToken", json=KEY, timeout=10)
        self.token = ok(response)["access_token"]

    def request(self, method: str, path: str, **kwargs) -> requests.Response:
        headers = {"Authorization": f"Bearer {self.token}", **kwargs.pop("headers", {})}
        return requests.request(method, self.base_url + path, headers=headers, timeout=10, **kwargs)

    def get(self, path: str, **kwargs) -> requests.Response:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs) -> requests.Response:
        return self.request("POST", path, **kwargs)

    def put(self, path: str, **kwargs) -> requests.Response:
        return self.request("PUT", path, **kwargs)

    def delete(self, path: str, **kwargs) -> requests.Response:
        return self.request("DELETE", path, **kwargs)


def new_merchant_uid() -> str:
    return f"order_{next(_merchant_uids):06d}"


def ok(response: requests.Response, status: int = 200):
    """The ``response`` of a successful envelope, after checking the envelope."""
    assert response.status_code == status, response.text
    body = response.json()
    assert body["code"] == 0, body
    assert body["message"] is None
    return body["response"]


def rsp_in(page: str) -> dict | None:
    """The rsp a window's result page hands to the merchant page; None on any other page."""
    found = RESULT.search(page)
    return json.loads(found.group(1)) if found else None


def refused(response: requests.Response, status: int = 200, code: int = 1) -> str:
    """The Korean message of a refusal, after checking its envelope."""
    assert response.status_code == status, response.text
    body = response.json()
    assert body["code"] == code, body
    assert body["response"] is None
    assert isinstance(body["message"], str)
    assert body["message"]
    return body["message"]


class Receiver:
    """A merchant's webhook endpoint: records each request and answers with ``statuses`` in turn
    (then 200). Clearing ``open`` holds every answer until it is set again."""

    def __init__(self):
        self.received: list[dict] = []
        self.statuses: list[int] = []
        self.open = threading.Event()
        self.open.set()
        self.changed = threading.Condition()

    def __call__(self, environ, start_response):
        request = Request(environ)
        entry = {
            "path": request.path,
            "content_type": request.mimetype,
            "json": request.get_json(silent=True),
            "form": request.form.to_dict(),
        }
        with self.changed:
            self.received.append(entry)
            status = self.statuses.pop(0) if self.statuses else 200
            self.changed.notify_all()
        self.open.wait(LONGEST_WAIT)
        return Response("ok", status=status)(environ, start_response)

    def wait_for(self, count: int, timeout: float = LONGEST_WAIT) -> list[dict]:
        """The requests received, once there are ``count`` of them."""
        with self.changed:
            arrived = self.changed.wait_for(lambda: len(self.received) >= count, timeout)
            assert arrived, f"expected {count} webhooks, got {self.received}"
            return list(self.received)


class ReceiverSlot:
    """The WSGI app of the shared receiver server: hands each request to the current test's
    Receiver."""

    def __init__(self):
        self.current = Receiver()

    def __call__(self, environ, start_response):
        return self.current(environ, start_response)


def schedule_entry(schedule_at: int, **fields) -> dict:
    """One entry of ``POST /subscribe/payments/schedule``'s ``schedules``."""
    return {
        "merchant_uid": new_merchant_uid(),
        "schedule_at": schedule_at,
        "amount": 9900,
        "name": "월간 원두 구독",
        **fields,
    }
