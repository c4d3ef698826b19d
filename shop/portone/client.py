"""PortOneClient: the shop's one client for PortOne's V1 REST API.

The same code talks to ``https://api.iamport.kr`` and to the sandbox. It keeps one access
token per process and reuses it until shortly before it expires, fetches a new one once when
PortOne answers 401, gives every call a connect and a read timeout, and turns every refusal
into a ``PortOneError`` that carries PortOne's HTTP status, ``code`` and ``message``.

It sends only ids of PortOne's shape (``shop.portone.ids``), and hands on a payment only if it
has the fields the shop relies on: anything else is a refusal, never a ``KeyError`` later.

A slow or unreachable PortOne costs little: concurrent callers share one token fetch instead
of queueing behind it, and once PortOne could not be reached a circuit breaker fails calls at
once for a few seconds. A read (``GET``, and the token fetch) that PortOne answered with a 5xx
or a malformed body is asked again, ``retries`` times with a growing pause; a write (prepare,
cancel, a charge, a booking) never is, since one that failed on the way back may have been
made: what became of it is found by reading.
"""

import random
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any

import requests

from shop.portone.breaker import CircuitBreaker
from shop.portone.ids import is_customer_uid, is_imp_uid, is_merchant_uid, is_payment_status

# Renew this many seconds before PortOne's expiry, so a token never dies mid-request.
TOKEN_MARGIN = 60

# What a payment must carry, and of which type, for the shop to act on it.
PAYMENT_FIELDS = {
    "imp_uid": str,
    "merchant_uid": str,
    "status": str,
    "amount": (int, float),
    "currency": str,
}

# What a billing key (``GET /subscribe/customers/{customer_uid}``) must carry for the shop to keep.
CUSTOMER_FIELDS = {
    "pg_provider": str,
    "card_name": (str, type(None)),
    "card_number": (str, type(None)),
    "inserted": int,
    "updated": int,
}

# What a booking (``ScheduleResult``) must carry for the shop to act on it.
SCHEDULE_FIELDS = {
    "customer_uid": str,
    "merchant_uid": str,
    "schedule_at": int,
    "schedule_status": str,
    "imp_uid": (str, type(None)),
    "payment_status": (str, type(None)),
}


class PortOneError(Exception):
    """PortOne refused the request (``code`` != 0, or an HTTP error status)."""

    def __init__(self, message: str, *, status: int | None = None, code: int | None = None):
        super().__init__(message)
        self.message = message
        self.status = status
        self.code = code

    def __str__(self) -> str:
        return f"{self.message} (HTTP {self.status}, code {self.code})"


class PortOneNotFound(PortOneError):
    """PortOne has no such payment, prepared amount or billing key (HTTP 404)."""


class PortOneUnavailable(PortOneError):
    """PortOne could not be reached or answered nonsense: the outcome is unknown, try later."""


class InvalidIdentifier(PortOneError):
    """An id not of PortOne's shape: refused here, before any request is made."""


class PortOneClient:
    def __init__(
        self,
        api_base: str,
        api_key: str,
        api_secret: str,
        *,
        timeout: tuple[float, float] = (2.0, 5.0),
        breaker_cooldown: float = 5.0,
        retries: int = 2,
        backoff: float = 0.2,
        session: requests.Session | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ):
        self.api_base = api_base.rstrip("/")
        self._api_key = api_key
        self._api_secret = api_secret
        self.timeout = timeout
        self.breaker = CircuitBreaker(breaker_cooldown)
        self.retries = retries
        self.backoff = backoff
        self._sleep = sleep
        self.session = session or requests.Session()
        self._token: str | None = None
        self._token_deadline = 0.0
        # The token fetch in flight, shared by every caller that needs a token meanwhile.
        self._token_fetch: Future | None = None
        self._token_lock = threading.Lock()

    # Payments -------------------------------------------------------------------------

    def prepare(self, merchant_uid: str, amount: int) -> dict:
        """Register the amount PortOne must accept for ``merchant_uid``."""
        _require("merchant_uid", merchant_uid, is_merchant_uid)
        return self._call(
            "POST", "/payments/prepare", json={"merchant_uid": merchant_uid, "amount": amount}
        )

    def get_prepared(self, merchant_uid: str) -> dict:
        _require("merchant_uid", merchant_uid, is_merchant_uid)
        return self._call("GET", f"/payments/prepare/{merchant_uid}")

    def get_payment(self, imp_uid: str) -> dict:
        _require("imp_uid", imp_uid, is_imp_uid)
        return _payment(self._call("GET", f"/payments/{imp_uid}"), imp_uid=imp_uid)

    def find_payment(self, merchant_uid: str, status: str | None = None) -> dict:
        """The latest payment made for ``merchant_uid`` (optionally in ``status``)."""
        _require("merchant_uid", merchant_uid, is_merchant_uid)
        path = f"/payments/find/{merchant_uid}"
        if status is not None:
            _require("payment_status", status, is_payment_status)
            path += f"/{status}"
        return _payment(self._call("GET", path), merchant_uid=merchant_uid)

    def cancel_payment(
        self,
        imp_uid: str,
        *,
        amount: int | None = None,
        checksum: int | None = None,
        reason: str | None = None,
    ) -> dict:
        """Refund ``amount`` of the payment, or all that is left when ``amount`` is None."""
        _require("imp_uid", imp_uid, is_imp_uid)
        body: dict[str, Any] = {"imp_uid": imp_uid}
        if amount is not None:
            body["amount"] = amount
        if checksum is not None:
            body["checksum"] = checksum
        if reason:
            body["reason"] = reason
        return _payment(self._call("POST", "/payments/cancel", json=body), imp_uid=imp_uid)

    # Billing keys ---------------------------------------------------------------------

    def get_customer(self, customer_uid: str) -> dict:
        """The billing key PortOne holds under ``customer_uid`` (``PortOneNotFound`` if none)."""
        _require("customer_uid", customer_uid, is_customer_uid)
        answer = self._call("GET", f"/subscribe/customers/{customer_uid}")
        return _customer(answer, customer_uid)

    def delete_customer(self, customer_uid: str) -> dict:
        _require("customer_uid", customer_uid, is_customer_uid)
        return self._call("DELETE", f"/subscribe/customers/{customer_uid}")

    def pay_again(
        self, customer_uid: str, merchant_uid: str, amount: int, name: str, **extra
    ) -> dict:
        """Charge a stored billing key. A declined charge is a Payment with status ``failed``."""
        _require("customer_uid", customer_uid, is_customer_uid)
        _require("merchant_uid", merchant_uid, is_merchant_uid)
        body = {
            "customer_uid": customer_uid,
            "merchant_uid": merchant_uid,
            "amount": amount,
            "name": name,
            **extra,
        }
        answer = self._call("POST", "/subscribe/payments/again", json=body)
        return _payment(answer, merchant_uid=merchant_uid)

    # Scheduled payments -------------------------------------------------------------------

    def schedule(self, customer_uid: str, schedules: list[dict]) -> list[dict]:
        """Book charges of a billing key: each ``{merchant_uid, schedule_at, amount, name, …}``.

        PortOne books all or none; a merchant_uid booked already, or paid, is refused.
        """
        _require("customer_uid", customer_uid, is_customer_uid)
        for entry in schedules:
            _require("merchant_uid", entry.get("merchant_uid"), is_merchant_uid)
        answer = self._call(
            "POST",
            "/subscribe/payments/schedule",
            json={"customer_uid": customer_uid, "schedules": schedules},
        )
        if not isinstance(answer, list) or len(answer) != len(schedules):
            raise PortOneError("PortOne answered without the bookings asked for")
        return [
            _schedule(booked, entry["merchant_uid"])
            for booked, entry in zip(answer, schedules, strict=True)
        ]

    def unschedule(self, customer_uid: str, merchant_uids: list[str]) -> list[dict]:
        """Revoke the listed bookings of ``customer_uid`` that have not run. PortOne refuses
        (code 1) when none of them is left to revoke."""
        _require("customer_uid", customer_uid, is_customer_uid)
        for merchant_uid in merchant_uids:
            _require("merchant_uid", merchant_uid, is_merchant_uid)
        answer = self._call(
            "POST",
            "/subscribe/payments/unschedule",
            json={"customer_uid": customer_uid, "merchant_uid": merchant_uids},
        )
        if not isinstance(answer, list):
            raise PortOneError("PortOne answered without the revoked bookings")
        return [_schedule(revoked) for revoked in answer]

    def get_schedule(self, merchant_uid: str) -> dict:
        """The latest booking of ``merchant_uid`` (``PortOneNotFound`` if it was never booked)."""
        _require("merchant_uid", merchant_uid, is_merchant_uid)
        return _schedule(
            self._call("GET", f"/subscribe/payments/schedule/{merchant_uid}"), merchant_uid
        )

    # Plumbing -------------------------------------------------------------------------

    def access_token(self, *, replacing: str | None = None) -> str:
        """The process's token: reused until ``TOKEN_MARGIN`` seconds before it expires.

        ``replacing`` is a token PortOne has just refused: a new one is fetched, unless another
        caller already replaced it. Callers that need a token while one is being fetched wait
        for that fetch and share its token or its failure; the lock is never held across the
        network.
        """
        with self._token_lock:
            if (
                self._token is not None
                and self._token != replacing
                and time.monotonic() < self._token_deadline
            ):
                return self._token
            fetch = self._token_fetch
            first = fetch is None
            if first:
                fetch = self._token_fetch = Future()
        if first:
            self._fetch_token(fetch)
        return fetch.result()

    def _fetch_token(self, fetch: Future) -> None:
        """Ask PortOne for a token, keep it, and hand it (or the failure) to ``fetch``."""
        try:
            token, lifetime = self._request_token()
        except BaseException as exc:
            with self._token_lock:
                self._token_fetch = None
            fetch.set_exception(exc)
            return
        with self._token_lock:
            self._token = token
            self._token_deadline = time.monotonic() + max(lifetime - TOKEN_MARGIN, 0)
            self._token_fetch = None
        fetch.set_result(token)

    def _request_token(self) -> tuple[str, int]:
        """``POST /users/getToken``: the token and its lifetime in seconds.

        A read in effect (asking again issues a token, nothing more), so it is retried.
        """
        auth = self._retrying(
            lambda: self._unwrap(
                self._send(
                    "POST",
                    "/users/getToken",
                    json={"imp_key": self._api_key, "imp_secret": self._api_secret},
                )
            )
        )
        try:
            token = auth["access_token"]
            lifetime = int(auth["expired_at"]) - int(auth["now"])
        except (KeyError, TypeError, ValueError) as exc:
            raise PortOneUnavailable("PortOne answered getToken without a token") from exc
        if not isinstance(token, str) or not token:
            raise PortOneUnavailable("PortOne answered getToken without a token")
        return token, lifetime

    def _call(self, method: str, path: str, **kwargs) -> Any:
        if method == "GET":
            return self._retrying(lambda: self._call_once(method, path, **kwargs))
        return self._call_once(method, path, **kwargs)

    def _retrying(self, read: Callable[[], Any]) -> Any:
        """``read()``, asked again up to ``retries`` times while PortOne answers it unusably.

        Pauses grow (``backoff``, twice that, …, each shortened at random so that workers do
        not retry in step). Not after a timeout or a refused connection: the breaker then
        refuses at once, and the caller waits one timeout, not several.
        """
        attempt = 0
        while True:
            try:
                return read()
            except PortOneUnavailable:
                if attempt == self.retries or self.breaker.retry_in():
                    raise
            self._sleep(self.backoff * 2**attempt * random.uniform(0.5, 1.0))
            attempt += 1

    def _call_once(self, method: str, path: str, **kwargs) -> Any:
        token = self.access_token()
        response = self._send(method, path, token=token, **kwargs)
        if response.status_code == 401:
            # Revoked or expired early on PortOne's side: one fresh token, one more try.
            token = self.access_token(replacing=token)
            response = self._send(method, path, token=token, **kwargs)
        return self._unwrap(response)

    def _send(
        self, method: str, path: str, token: str | None = None, **kwargs
    ) -> requests.Response:
        retry_in = self.breaker.retry_in()
        if retry_in:
            raise PortOneUnavailable(f"PortOne unreachable; trying again in {retry_in:.1f} s")
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        try:
            response = self.session.request(
                method, self.api_base + path, headers=headers, timeout=self.timeout, **kwargs
            )
        except requests.RequestException as exc:
            self.breaker.failed()
            raise PortOneUnavailable(f"PortOne unreachable: {exc.__class__.__name__}") from exc
        self.breaker.succeeded()
        return response

    @staticmethod
    def _unwrap(response: requests.Response) -> Any:
        status = response.status_code
        try:
            body = response.json()
        except ValueError:
            body = None
        if not isinstance(body, dict) or "code" not in body:
            raise PortOneUnavailable(
                f"PortOne answered HTTP {status} without its envelope", status=status
            )
        code, message = body.get("code"), body.get("message") or ""
        if status >= 500:
            raise PortOneUnavailable(message or "PortOne failed", status=status, code=code)
        if status == 404:
            raise PortOneNotFound(message or "not found", status=status, code=code)
        if status >= 400 or code != 0:
            raise PortOneError(message or "refused", status=status, code=code)
        return body["response"]


def _require(name: str, value, fits) -> None:
    if not fits(value):
        raise InvalidIdentifier(f"{name} is not of PortOne's shape: {str(value)[:40]!r}")


def _customer(answer: Any, customer_uid: str) -> dict:
    """``answer`` if it is the billing key asked for, with the fields the shop keeps."""
    if not isinstance(answer, dict) or answer.get("customer_uid") != customer_uid:
        raise PortOneError("PortOne answered without the billing key asked for")
    for name, kind in CUSTOMER_FIELDS.items():
        value = answer.get(name)
        if not isinstance(value, kind) or isinstance(value, bool):
            raise PortOneError(f"PortOne answered a billing key without a valid {name}")
    return answer


def _schedule(answer: Any, merchant_uid: str | None = None) -> dict:
    """``answer`` if it is a booking (of ``merchant_uid``, when given) with the fields the shop
    reads."""
    if not isinstance(answer, dict):
        raise PortOneError("PortOne answered without a booking")
    for name, kind in SCHEDULE_FIELDS.items():
        value = answer.get(name)
        if not isinstance(value, kind) or isinstance(value, bool):
            raise PortOneError(f"PortOne answered a booking without a valid {name}")
    if merchant_uid is not None and answer["merchant_uid"] != merchant_uid:
        raise PortOneError(f"PortOne answered another booking: {answer['merchant_uid']!r}")
    return answer


def _payment(answer: Any, **asked: str) -> dict:
    """``answer`` if it is a payment with every field in ``PAYMENT_FIELDS`` and the ids asked for.

    Anything else is a refusal: the shop must not act on half a payment, or on another one.
    """
    if not isinstance(answer, dict):
        raise PortOneError("PortOne answered without a payment")
    for name, kind in PAYMENT_FIELDS.items():
        value = answer.get(name)
        if not isinstance(value, kind) or isinstance(value, bool):
            raise PortOneError(f"PortOne answered a payment without a valid {name}")
    for name, value in asked.items():
        if answer[name] != value:
            raise PortOneError(f"PortOne answered another payment: {name} {answer[name]!r}")
    return answer
