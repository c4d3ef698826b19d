"""Webhooks: PortOne's unsigned ``{imp_uid, merchant_uid, status}`` notifications, posted on a
background thread after the response that caused them, each delivery and its result recorded.

Every thread works for one *generation* of the sandbox's state; a reset starts a new generation,
and a thread of an older one drops its work instead of writing into the fresh state.

Where they may go is the app's choice: anywhere, as PortOne sends them, or (when the sandbox runs
inside a shop, whose buyers name the notice_url) only to the URLs ``SANDBOX_WEBHOOK_ALLOWED_URLS``
lists, so a buyer cannot make the shop's process post to any address it can reach.

An armed webhook fault (``portone_sandbox.faults``) drops, duplicates, delays or holds back the
next notification.
"""

import json
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import requests
from flask import Flask, current_app, request
from sqlalchemy import func, select, update

from portone_sandbox import faults
from portone_sandbox.errors import BadParameter, Busy
from portone_sandbox.models import Payment, WebhookDelivery, db, now

RETRIES = 5
JSON = "application/json"
FORM = "application/x-www-form-urlencoded"
# The result of the deliveries a webhook fault keeps from being posted (see ``faults``).
UNSENT = {"drop": "dropped", "reorder": "held"}


class _Outbox:
    """One app's deliveries in flight, and the condition waiters and threads meet on."""

    def __init__(self):
        self.changed = threading.Condition()
        self.generation = 0
        self.stop = threading.Event()
        self.in_flight = 0
        self.waiting = 0


_outboxes_lock = threading.Lock()


def _outbox(app: Flask) -> _Outbox:
    with _outboxes_lock:
        return app.extensions.setdefault("sandbox_webhooks", _Outbox())


def check_allowed(urls: list[str]) -> None:
    """Refuse notice_urls this sandbox may not post to.

    With ``SANDBOX_WEBHOOK_ALLOWED_URLS`` unset (None) any URL goes, as with PortOne. Set, only
    the URLs it lists may be named, and the console URL; an entry that is a path, such as
    ``/portone/webhook``, means that path on the host the current request came to.
    """
    config = current_app.config
    allowed = config["SANDBOX_WEBHOOK_ALLOWED_URLS"]
    if allowed is None:
        return
    host = request.host_url.rstrip("/")
    permitted = {_comparable(host + url if url.startswith("/") else url) for url in allowed}
    if config["SANDBOX_WEBHOOK_URL"]:
        permitted.add(_comparable(config["SANDBOX_WEBHOOK_URL"]))
    for url in urls:
        if _comparable(url) not in permitted:
            raise BadParameter(f"notice_url({url})은 이 샌드박스가 웹훅을 보낼 수 없는 주소입니다.")


def _comparable(url: str) -> tuple[str, str, str, str]:
    parts = urlsplit(url)
    return parts.scheme.lower(), parts.netloc.lower(), parts.path or "/", parts.query


def send(payment: Payment, status: str | None = None, cancellation_id: str | None = None) -> None:
    """Notify the merchant about ``payment``. Call right after the commit that changed it.

    The body is ``{imp_uid, merchant_uid, status}`` (``status`` defaults to the payment's), plus
    ``cancellation_id`` for a cancel. It goes to each of the payment's notice_urls (checked by
    ``check_allowed`` when the payment was made), else to the console URL
    (``SANDBOX_WEBHOOK_URL``), else nowhere. Each delivery is recorded as pending; the posting
    happens on background threads.
    """
    app = current_app._get_current_object()
    urls = payment.notice_url_list()
    if not urls and app.config["SANDBOX_WEBHOOK_URL"]:
        urls = [app.config["SANDBOX_WEBHOOK_URL"]]
    if not urls:
        return
    body = {
        "imp_uid": payment.imp_uid,
        "merchant_uid": payment.merchant_uid,
        "status": status or payment.status,
    }
    if cancellation_id:
        body["cancellation_id"] = cancellation_id
    content_type = FORM if app.config["SANDBOX_WEBHOOK_CONTENT_TYPE"] == "form" else JSON
    fault = faults.take("webhook")
    kind = fault.kind if fault else None
    copies = fault.copies if kind == "duplicate" else 1
    outbox = _outbox(app)
    with outbox.changed:
        deliveries = [
            WebhookDelivery(
                url=url,
                imp_uid=payment.imp_uid,
                merchant_uid=payment.merchant_uid,
                status=body["status"],
                body=json.dumps(body, ensure_ascii=False),
                content_type=content_type,
                result=UNSENT.get(kind, "pending"),
                created_at=now(),
            )
            for url in urls
            for _ in range(copies)
        ]
        db.session.add_all(deliveries)
        db.session.commit()
        sent = [delivery for delivery in deliveries if delivery.result == "pending"]
        # Held deliveries go after this notification, if it is sent at all.
        released = _release_held() if sent else []
        outbox.in_flight += len(sent) + len(released)
        job = (app, outbox, outbox.generation, outbox.stop)
        targets = [(d.id, d.url, body, content_type) for d in sent]
        followers = [(d.id, d.url, json.loads(d.body), d.content_type) for d in released]
    delay = fault.delay if kind == "delay" else 0.0
    posted = [_start(job, target, _Pacing(delay=delay)) for target in targets]
    for target in followers:
        _start(job, target, _Pacing(after=tuple(posted)))


@dataclass
class _Pacing:
    """When a delivery may be posted: ``delay`` seconds after it was made, and once the
    deliveries it follows have been posted. ``posted`` tells its own followers."""

    delay: float = 0.0
    after: tuple[threading.Event, ...] = ()
    posted: threading.Event = field(default_factory=threading.Event)

    def wait(self, stop: threading.Event) -> bool:
        """Wait until the delivery may go; False if the sandbox was reset meanwhile."""
        if self.delay and stop.wait(self.delay):
            return False
        for event in self.after:
            # Every delivery thread sets its event when it ends, at the latest.
            event.wait()
        return not stop.is_set()


def _start(job: tuple, target: tuple, pacing: _Pacing) -> threading.Event:
    """Post one delivery on a thread of its own; the event it sets once posted."""
    threading.Thread(
        target=_deliver,
        args=(*job, *target, pacing),
        name=f"sandbox-webhook-{target[0]}",
        daemon=True,
    ).start()
    return pacing.posted


def _release_held() -> list[WebhookDelivery]:
    """Claim the deliveries a ``reorder`` fault holds, so this process posts them. Each is
    claimed by one conditional UPDATE, so no two processes post the same one."""
    held = db.session.scalars(
        select(WebhookDelivery).where(WebhookDelivery.result == "held").order_by(WebhookDelivery.id)
    ).all()
    released = []
    for delivery in held:
        claimed = db.session.execute(
            update(WebhookDelivery)
            .where(WebhookDelivery.id == delivery.id, WebhookDelivery.result == "held")
            .values(result="pending")
            .execution_options(synchronize_session=False)
        )
        if claimed.rowcount == 1:
            released.append(delivery)
    db.session.commit()
    return released


def _deliver(app, outbox, generation, stop, delivery_id, url, body, content_type, pacing) -> None:
    """Post one delivery when its ``pacing`` allows, retrying when configured; never lets an
    exception escape the thread."""
    try:
        with app.app_context():
            if not pacing.wait(stop):
                return
            retries = RETRIES if app.config["SANDBOX_WEBHOOK_RETRY"] else 0
            for attempt in range(1, retries + 2):
                http_status, error = _post(url, body, content_type, app.config)
                retry = attempt <= retries and (error is not None or http_status >= 500)
                if retry:
                    result = "pending"
                elif http_status is not None and 200 <= http_status < 300:
                    result = "delivered"
                else:
                    result = "failed"
                outcome = (attempt, http_status, error, result)
                recorded = _record(outbox, generation, delivery_id, *outcome)
                pacing.posted.set()
                if not recorded:
                    return
                if not retry or stop.wait(app.config["SANDBOX_WEBHOOK_RETRY_INTERVAL"]):
                    return
    except Exception:
        app.logger.exception("webhook delivery %s broke off", delivery_id)
    finally:
        pacing.posted.set()
        with outbox.changed:
            outbox.in_flight -= 1
            outbox.changed.notify_all()


def _post(url: str, body: dict, content_type: str, config) -> tuple[int | None, str | None]:
    """One attempt: the HTTP status, or the network error that prevented one."""
    data = body if content_type == FORM else json.dumps(body, ensure_ascii=False).encode()
    try:
        response = requests.post(
            url,
            data=data,
            headers={"Content-Type": content_type},
            timeout=config["SANDBOX_WEBHOOK_TIMEOUT"],
            # PortOne does not follow redirects: a 3xx answer is a failed delivery.
            allow_redirects=False,
        )
    except requests.RequestException as error:
        return None, f"{type(error).__name__}: {error}"[:300]
    response.close()
    return response.status_code, None


def _record(outbox, generation, delivery_id, attempt, http_status, error, result) -> bool:
    """Write an attempt's outcome; False when the state it belonged to has been reset."""
    with outbox.changed:
        if outbox.generation != generation:
            return False
        delivery = db.session.get(WebhookDelivery, delivery_id)
        if delivery is None:
            return False
        delivery.attempts = attempt
        delivery.http_status = http_status
        delivery.error = error
        delivery.result = result
        if result == "delivered":
            delivery.delivered_at = now()
        db.session.commit()
        outbox.changed.notify_all()
    return True


@contextmanager
def resetting():
    """Hold deliveries still while the state is wiped, and orphan every one in flight."""
    outbox = _outbox(current_app._get_current_object())
    with outbox.changed:
        outbox.generation += 1
        outbox.stop.set()
        outbox.stop = threading.Event()
        yield
        outbox.changed.notify_all()


def in_flight() -> int:
    """How many delivery threads are still running (of any generation)."""
    return _outbox(current_app._get_current_object()).in_flight


def wait(finished: int = 0, idle: bool = False, timeout: float = 5.0) -> bool:
    """Block until at least ``finished`` deliveries have a final result and, with ``idle``, no
    delivery thread is running; False if ``timeout`` seconds pass first.

    Each waiter holds a worker, so at most ``SANDBOX_CONTROL_MAX_WAITERS`` wait at once; one more
    is refused with ``Busy``.
    """
    app = current_app._get_current_object()
    outbox = _outbox(app)
    with outbox.changed:
        if outbox.waiting >= app.config["SANDBOX_CONTROL_MAX_WAITERS"]:
            raise Busy("이미 많은 요청이 기다리고 있습니다. 잠시 후 다시 시도해주세요.")
        outbox.waiting += 1
    try:
        return _wait(outbox, finished, idle, time.monotonic() + timeout)
    finally:
        with outbox.changed:
            outbox.waiting -= 1


def _wait(outbox: _Outbox, finished: int, idle: bool, deadline: float) -> bool:
    with outbox.changed:
        while True:
            # End the read transaction so each check sees the threads' latest commits.
            db.session.rollback()
            done = db.session.scalar(
                select(func.count(WebhookDelivery.id)).where(
                    WebhookDelivery.result.not_in(("pending", "held"))
                )
            )
            if done >= finished and not (idle and outbox.in_flight):
                return True
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return False
            # Bounded, so deliveries recorded by another process are noticed too.
            outbox.changed.wait(min(remaining, 0.25))
