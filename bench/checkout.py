"""How many PortOne calls one checkout makes, and how long a buyer's checkout takes.

Runs the shop (embedded sandbox, SQLite in a temporary folder) on a free port, drives N desktop
checkouts through Chromium, counts every request the shop's PortOne client sends, by endpoint,
and times each checkout from "Continue to Kakao Pay" to the paid confirmation.

    .venv/bin/python bench/checkout.py [--runs 10]
"""

import argparse
import collections
import re
import shutil
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

from playwright.sync_api import expect, sync_playwright
from werkzeug.serving import make_server

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from shop import create_app
from shop.catalog.seed import seed_catalog
from shop.extensions import db
from tests.browser import CHROMIUM_ARGS
from tests.e2e.actions import fill_checkout, kakao_window
from tests.sandbox_controls import control


def count_calls(client, counter: collections.Counter) -> None:
    """Wrap the client's session so every call is counted by method and path shape."""
    send = client.session.request

    def counted(method, url, **kwargs):
        path = urlsplit(url).path.removeprefix("/portone-sandbox")
        path = re.sub(r"/(imps?_\d+|ord_\w+)", "/{id}", path)
        counter[f"{method} {path}"] += 1
        return send(method, url, **kwargs)

    client.session.request = counted


def wait_for_webhooks(base: str, count: int) -> None:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        log = control("GET", f"{base}/portone-sandbox/_sandbox/webhooks").json()
        if sum(1 for d in log["deliveries"] if d["result"] != "pending") >= count:
            return
        time.sleep(0.05)
    raise SystemExit("webhooks did not arrive")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()

    data = Path(tempfile.mkdtemp())
    app = create_app(
        {
            "SECRET_KEY": "bench",
            "DATABASE_URL": f"sqlite:///{data / 'shop.sqlite3'}",
            "SANDBOX_DATABASE_URL": f"sqlite:///{data / 'sandbox.sqlite3'}",
        }
    )
    with app.app_context():
        db.create_all()
        seed_catalog()
    calls: collections.Counter = collections.Counter()
    count_calls(app.extensions["portone"], calls)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}"

    timings, confirmations = [], []
    with sync_playwright() as playwright:
        executable = shutil.which("chromium")
        browser = playwright.chromium.launch(
            args=CHROMIUM_ARGS, **({"executable_path": executable} if executable else {})
        )
        for run in range(args.runs):
            page = browser.new_page()
            page.goto(base + "/")
            page.get_by_role("link", name=re.compile("녹차|Tea", re.I)).first.click()
            page.get_by_role("button", name="Add to cart").click()
            page.goto(base + "/checkout")
            started = time.perf_counter()
            fill_checkout(page)
            approve = kakao_window(page).get_by_role("button", name="Approve")
            approve.wait_for()
            approved = time.perf_counter()
            approve.click()
            expect(
                page.get_by_role("heading", name="Thank you! Your order is paid.")
            ).to_be_visible()
            done = time.perf_counter()
            timings.append(done - started)
            confirmations.append(done - approved)
            wait_for_webhooks(base, run + 1)
            page.close()
        browser.close()
    server.shutdown()

    total = sum(calls.values())
    print(f"checkouts: {args.runs}")
    print(f"PortOne calls: {total} in all, {total / args.runs:.1f} per checkout")
    for name, count in sorted(calls.items()):
        print(f"  {name:<40} {count:>4}  ({count / args.runs:.2f} per checkout)")
    for label, spans in (
        ("browser checkout (fill the form → paid confirmation)", timings),
        ("Approve → paid confirmation (callback door, verified)", confirmations),
    ):
        print(
            f"{label}: median {statistics.median(spans) * 1000:.0f} ms, "
            f"min {min(spans) * 1000:.0f} ms, max {max(spans) * 1000:.0f} ms"
        )


if __name__ == "__main__":
    main()
