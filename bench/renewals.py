"""Renewals at scale: hundreds of subscriptions due at the same moment, every webhook sent
several times, and in the end one charge per subscription and period.

Runs the shop (embedded sandbox) on a free port, on SQLite in a temporary folder or on the
PostgreSQL database ``--database`` names (its tables are dropped and made again). N accounts
sign up and subscribe over HTTP through the shop's own pages: "Subscribe" on the plans page,
the sandbox's Kakao Pay window as a phone shows it, the redirect back. Then the sandbox is
armed to send each of the next N webhooks ``--copies`` times, its clock moves past every
renewal, and the due schedules run at once, so every renewal's copies reach the shop together.
Once they are all delivered, ``reconcile-subscriptions`` runs (for any webhook that timed out),
and the bench checks at PortOne and in the shop: one paid charge per subscription for the
second period, one paid sync of it, and one booking of the third.

    .venv/bin/python bench/renewals.py [--subscriptions 200] [--copies 3] [--database URL]
"""

import argparse
import collections
import json
import logging
import secrets
import statistics
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests
from sqlalchemy import func, select
from werkzeug.serving import make_server

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from shop import create_app
from shop.extensions import db
from shop.models import PaymentEvent, PeriodStatus, Subscription, SubscriptionPeriod
from shop.subscriptions.clock import to_unix
from shop.subscriptions.plans import PLANS, seed_plans
from shop.subscriptions.reconcile import reconcile
from tests.sandbox_controls import control
from tests.shop.actions import CSRF_TOKEN, DECISION_FORM, PHONE_UA, WINDOW_KEY

DETAILS = {
    "buyer_name": "김민지",
    "buyer_tel": "010-1234-5678",
    "buyer_addr": "서울특별시 강남구 테헤란로 152",
    "buyer_postcode": "06236",
    # Ticked on the page unless another recipient is saved.
    "same_as_buyer": "y",
}
SLUG = PLANS[0]["slug"]


class WebhookTimer:
    """WSGI middleware that times each request to the shop's webhook, by its answer."""

    def __init__(self, app):
        self.app = app
        self.lock = threading.Lock()
        self.spans: list[float] = []
        self.statuses: collections.Counter = collections.Counter()

    def __call__(self, environ, start_response):
        if environ.get("PATH_INFO") != "/portone/webhook":
            return self.app(environ, start_response)
        started = time.perf_counter()
        answered = []

        def recording_start(status, headers, exc_info=None):
            answered.append(status.split()[0])
            return start_response(status, headers, exc_info)

        body = list(self.app(environ, recording_start))
        with self.lock:
            self.spans.append(time.perf_counter() - started)
            self.statuses[answered[0] if answered else "none"] += 1
        return body

    def reset(self) -> None:
        with self.lock:
            self.spans.clear()
            self.statuses.clear()


def subscribe(base: str, number: int) -> None:
    """One shopper: sign up, save the delivery details, subscribe, approve, come back."""
    browser = requests.Session()
    browser.headers["User-Agent"] = PHONE_UA
    # As a browser does: a first POST, from a page that had no session and so no token, is
    # vouched for by its origin.
    browser.headers["Origin"] = base

    def token(path: str) -> str:
        found = CSRF_TOKEN.search(browser.get(base + path, timeout=30).text)
        return found.group(1) if found else ""

    account = {"name": "구독자", "email": f"subscriber{number}@example.com", "password": "x" * 12}
    browser.post(base + "/account/signup", data={**account, "csrf_token": token("/account/signup")})
    browser.post(base + "/account/details", data={**DETAILS, "csrf_token": token("/account/")})
    answer = browser.post(
        f"{base}/plans/{SLUG}/subscribe",
        data={"csrf_token": token("/plans")},
        headers={"Accept": "application/json"},
        timeout=30,
    )
    params = answer.json()["params"]
    window = browser.post(
        base + "/portone-sandbox/window/open",
        data={
            "mode": "redirect",
            "origin": base,
            "request_id": secrets.token_hex(8),
            "imp_code": "imp00000000",
            "params": json.dumps(params),
        },
        timeout=30,
    ).text
    decided = browser.post(
        base + DECISION_FORM.search(window).group(1),
        data={"key": WINDOW_KEY.search(window).group(1), "decision": "approve", "pay_with": "card"},
        allow_redirects=False,
        timeout=30,
    )
    browser.get(decided.headers["Location"], timeout=30)


def settle(sandbox: str, limit: float = 600) -> None:
    """Wait until the sandbox has no webhook in flight."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        log = control(
            "GET", f"{sandbox}/webhooks", params={"idle": "true", "timeout": 5}, timeout=30
        )
        if log.json()["settled"]:
            return
    raise SystemExit(f"the webhooks were still in flight after {limit:.0f} s")


def deliveries(sandbox: str) -> collections.Counter:
    log = control("GET", f"{sandbox}/webhooks", timeout=30).json()["deliveries"]
    return collections.Counter(delivery["result"] for delivery in log)


def paid_at_portone(base: str, merchant_uids: list[str]) -> collections.Counter:
    """How many paid payments PortOne holds for each merchant_uid: a Counter of the counts."""
    api = base + "/portone-sandbox"
    auth = {"imp_key": "sandbox-key", "imp_secret": "sandbox-secret"}
    token = requests.post(f"{api}/users/getToken", json=auth, timeout=30).json()["response"]
    headers = {"Authorization": token["access_token"]}
    counts = collections.Counter()
    for merchant_uid in merchant_uids:
        found = requests.get(f"{api}/payments/findAll/{merchant_uid}", headers=headers, timeout=30)
        payments = found.json()["response"]["list"] if found.status_code == 200 else []
        counts[sum(1 for payment in payments if payment["status"] == "paid")] += 1
    return counts


def booked_at_portone(base: str, merchant_uids: list[str]) -> collections.Counter:
    api = base + "/portone-sandbox"
    auth = {"imp_key": "sandbox-key", "imp_secret": "sandbox-secret"}
    token = requests.post(f"{api}/users/getToken", json=auth, timeout=30).json()["response"]
    headers = {"Authorization": token["access_token"]}
    counts = collections.Counter()
    for merchant_uid in merchant_uids:
        found = requests.get(
            f"{api}/subscribe/payments/schedule/{merchant_uid}", headers=headers, timeout=30
        )
        counts[found.json()["response"]["schedule_status"] if found.ok else "none"] += 1
    return counts


def milliseconds(spans: list[float]) -> str:
    if not spans:
        return "none"
    return (
        f"min {min(spans) * 1000:.0f} ms, median {statistics.median(spans) * 1000:.0f} ms, "
        f"max {max(spans) * 1000:.0f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--subscriptions", type=int, default=200)
    parser.add_argument("--copies", type=int, default=3)
    parser.add_argument("--database", help="a PostgreSQL URL (its tables are dropped)")
    args = parser.parse_args()
    # The server's access log would bury the figures.
    logging.getLogger("werkzeug").setLevel(logging.WARNING)

    data = Path(tempfile.mkdtemp())
    app = create_app(
        {
            "SECRET_KEY": "bench",
            "DATABASE_URL": args.database or f"sqlite:///{data / 'shop.sqlite3'}",
            "SANDBOX_DATABASE_URL": f"sqlite:///{data / 'sandbox.sqlite3'}",
            "LOG_LEVEL": "WARNING",
            # Every webhook and subscriber comes from 127.0.0.1 here.
            "WEBHOOKS_PER_ADDRESS": "100000 per minute",
            "ORDERS_PER_ADDRESS": "100000 per minute",
        }
    )
    with app.app_context():
        db.drop_all()
        db.create_all()
        seed_plans()
    timer = WebhookTimer(app.wsgi_app)
    app.wsgi_app = timer
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}"
    sandbox = base + "/portone-sandbox/_sandbox"

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(lambda number: subscribe(base, number), range(args.subscriptions)))
    settle(sandbox)
    with app.app_context():
        second = db.session.scalars(
            select(SubscriptionPeriod).where(SubscriptionPeriod.number == 2)
        ).all()
        latest = max(period.charge_at for period in second)
        second_uids = [period.order.merchant_uid for period in second]
    took = time.perf_counter() - started
    print(f"subscribed: {len(second)} of {args.subscriptions} in {took:.1f} s")

    timer.reset()
    before = deliveries(sandbox)
    control(
        "POST",
        f"{sandbox}/faults",
        json={"kind": "duplicate", "copies": args.copies, "count": len(second)},
    ).raise_for_status()
    now = control("GET", f"{sandbox}/clock").json()["now"]
    control("POST", f"{sandbox}/clock/advance", json={"seconds": to_unix(latest) - now + 60})
    started = time.perf_counter()
    ran = 0
    while True:
        executed = control("POST", f"{sandbox}/schedules/run", timeout=120).json()["executed"]
        ran += len(executed)
        if not executed:
            break
    ran_in = time.perf_counter() - started
    settle(sandbox)
    delivered_in = time.perf_counter() - started
    after = deliveries(sandbox)
    sent = after - before

    with app.app_context():
        fixed = reconcile()
        periods = collections.Counter(
            f"period {number}: {status}"
            for number, status in db.session.execute(
                select(SubscriptionPeriod.number, SubscriptionPeriod.status).where(
                    SubscriptionPeriod.number > 1
                )
            )
        )
        outcomes = collections.Counter(
            dict(
                db.session.execute(
                    select(PaymentEvent.outcome, func.count())
                    .join(SubscriptionPeriod, SubscriptionPeriod.order_id == PaymentEvent.order_id)
                    .where(SubscriptionPeriod.number == 2)
                    .group_by(PaymentEvent.outcome)
                ).all()
            )
        )
        statuses = collections.Counter(
            str(status) for (status,) in db.session.execute(select(Subscription.status))
        )
        third_uids = [
            period.order.merchant_uid
            for period in db.session.scalars(
                select(SubscriptionPeriod).where(SubscriptionPeriod.number == 3)
            )
        ]
    paid = paid_at_portone(base, second_uids)
    booked = booked_at_portone(base, third_uids)
    server.shutdown()
    spans = timer.spans
    print(f"renewals run: {ran} by the run control, {len(second) - ran} by the background runner")
    print(f"webhooks: {sum(sent.values())} sent ({args.copies} copies each): {dict(sent)}")
    print(f"shop's webhook answers: {dict(timer.statuses)}")
    print(
        f"run → every webhook delivered: {delivered_in:.1f} s (the schedules ran in {ran_in:.1f} s)"
    )
    print(f"one webhook in the shop: {milliseconds(spans)}")
    print(f"webhooks handled per second: {len(spans) / delivered_in:.0f}")
    print(f"reconcile afterwards: {dict(fixed)}")
    print(f"syncs of the renewals: {dict(outcomes)}")
    print(f"subscriptions: {dict(statuses)}")
    print(f"periods: {dict(periods)}")
    print(f"paid payments per renewal at PortOne: {dict(paid)}")
    print(f"bookings of the period after: {dict(booked)}")
    checks = {
        "one paid charge per subscription for the second period": paid == {1: len(second)},
        "one paid sync per renewal": outcomes["paid"] == len(second),
        "every second period paid": periods[f"period 2: {PeriodStatus.PAID}"] == len(second),
        "one booking of the third period each": booked == {"scheduled": len(second)},
    }
    for check, held in checks.items():
        print(f"{'ok  ' if held else 'FAIL'} {check}")
    if not all(checks.values()):
        raise SystemExit(1)


if __name__ == "__main__":
    main()
