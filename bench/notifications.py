"""Duplicate notifications at once: 500 webhooks for 50 paid orders, on PostgreSQL, against
the shop under gunicorn with 4 workers.

The shop (embedded sandbox) is migrated and seeded once, then served by gunicorn with the
repository's gunicorn.conf.py. 50 orders are placed and paid over HTTP (the sandbox's Kakao
Pay window as a phone shows it, then the page's callback). Then each run posts 500 webhooks
(10 copies per order, status "paid", as PortOne resends them) from 50 threads at once, and
times each; then the same 500 claiming a cancel, which the shop re-fetches from PortOne and
records each (the cost of every duplicate before the database answered them), for a ratio
measured in the same run. After each storm the database is checked: 50 orders paid, each
fulfilled once (one "paid" sync), the stock taken once per order.

Prints p50/p95/p99 of each run, then min/median/max of each over the runs. The database's
tables are dropped and made again: name one you can spare.

    .venv/bin/python bench/notifications.py [--database URL] [--runs 5] [--workers 4]
        [--concurrency 50]
"""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests
from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from shop.config import ENV_NAMES
from shop.models import Order, OrderStatus, PaymentEvent, Product
from tests.postgres import empty_postgres
from tests.servers import ROOT, Gunicorn
from tests.shop.http_buyer import QUANTITY, Browser, pay_in_window

ORDERS = 50
NOTIFICATIONS = 500
CONCURRENCY = 50
TARGET_P95_MS = 200


def serve(database: str, folder: Path, workers: int) -> Gunicorn:
    env = {
        **{name: value for name, value in os.environ.items() if name not in ENV_NAMES},
        "SHOP_INSTANCE_PATH": str(folder / "instance"),
        "DATABASE_URL": database,
        "SANDBOX_DATABASE_URL": f"sqlite:///{folder / 'sandbox.sqlite3'}",
        "SECRET_KEY": "bench",
        "LOG_LEVEL": "WARNING",
        "ORDERS_PER_ADDRESS": "100000 per minute",
        "WEBHOOKS_PER_ADDRESS": "100000 per minute",
    }
    subprocess.run(
        [sys.executable, "-m", "flask", "--app", "shop", "seed"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
    )
    return Gunicorn(env, workers=workers)


def stocked_product(session: Session) -> int:
    """A product with stock enough for every order."""
    product = session.scalars(select(Product).order_by(Product.id)).first()
    product.stock = 10_000
    session.commit()
    return product.id


def paid_orders(url: str, session: Session, product_id: int) -> list[tuple[str, str]]:
    """Place and pay ``ORDERS`` orders: (imp_uid, merchant_uid) of each."""
    paid = []
    for n in range(ORDERS):
        buyer = Browser([url], f"10.0.{n // 200}.{n % 200 + 1}")
        assert buyer.place(product_id).status_code == 303
        order = session.scalars(select(Order).order_by(Order.id.desc())).first()
        session.rollback()
        query = pay_in_window(buyer.http, f"{url}/portone-sandbox", url, order)
        assert buyer.callback(query["imp_uid"], order.merchant_uid).json()["status"] == "paid"
        paid.append((query["imp_uid"], order.merchant_uid))
    return paid


def storm(url: str, paid: list[tuple[str, str]], concurrency: int, status: str) -> list[float]:
    """``NOTIFICATIONS`` webhooks, ``concurrency`` at a time, released together: ms each."""
    bodies = [
        {"imp_uid": imp_uid, "merchant_uid": merchant_uid, "status": status}
        for _ in range(NOTIFICATIONS // len(paid))
        for imp_uid, merchant_uid in paid
    ]
    local = threading.local()
    start = threading.Barrier(concurrency)

    def post(body: dict) -> float:
        if not hasattr(local, "http"):
            local.http = requests.Session()
            start.wait()
        began = time.perf_counter()
        response = local.http.post(f"{url}/portone/webhook", json=body, timeout=60)
        took = (time.perf_counter() - began) * 1000
        assert response.status_code == 200, response.text
        return took

    with ThreadPoolExecutor(concurrency) as pool:
        return list(pool.map(post, bodies))


def check(session: Session, product_id: int) -> None:
    """From the database: every order paid, fulfilled once, stock taken once."""
    session.rollback()
    paid = session.scalar(select(func.count(Order.id)).where(Order.status == OrderStatus.PAID))
    fulfilments = session.scalars(
        select(func.count(PaymentEvent.id))
        .where(PaymentEvent.outcome == "paid")
        .group_by(PaymentEvent.order_id)
    ).all()
    assert paid == ORDERS, paid
    assert fulfilments == [1] * ORDERS, fulfilments
    assert session.get(Product, product_id).stock == 10_000 - ORDERS * QUANTITY


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def spread(values: list[float]) -> str:
    return f"min {min(values):.0f}, median {statistics.median(values):.0f}, max {max(values):.0f}"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument(
        "--database",
        default=os.environ.get(
            "TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
        ),
    )
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--concurrency", type=int, default=CONCURRENCY)
    args = parser.parse_args()

    empty_postgres(args.database)
    engine = create_engine(args.database)
    with tempfile.TemporaryDirectory() as folder, Session(engine) as session:
        server = serve(args.database, Path(folder), args.workers)
        try:
            product_id = stocked_product(session)
            paid = paid_orders(server.url, session, product_id)
            print(
                f"{NOTIFICATIONS} duplicate webhooks for {ORDERS} paid orders, "
                f"{args.concurrency} at once, gunicorn {args.workers} workers, PostgreSQL"
            )
            p50s, p95s, p99s, ratios = [], [], [], []
            for run in range(1, args.runs + 1):
                took = storm(server.url, paid, args.concurrency, "paid")
                check(session, product_id)
                # The same storm claiming a cancel: each is re-fetched from PortOne and
                # recorded, as every duplicate was before the database answered them.
                refetched = storm(server.url, paid, args.concurrency, "cancelled")
                check(session, product_id)
                p50, p95, p99 = (percentile(took, q) for q in (0.50, 0.95, 0.99))
                ratio = percentile(refetched, 0.95) / p95
                p50s.append(p50)
                p95s.append(p95)
                p99s.append(p99)
                ratios.append(ratio)
                print(
                    f"run {run}: p50 {p50:.0f} ms, p95 {p95:.0f} ms, p99 {p99:.0f} ms; "
                    f"re-fetching each: p95 {percentile(refetched, 0.95):.0f} ms "
                    f"({ratio:.1f}x); {ORDERS} orders paid, each fulfilled once, stock right; "
                    f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"
                )
        finally:
            server.stop()
    engine.dispose()
    print(f"p50 ms: {spread(p50s)}")
    print(f"p95 ms: {spread(p95s)} (target < {TARGET_P95_MS})")
    print(f"p99 ms: {spread(p99s)}")
    print(
        f"p95 re-fetching each / answered from the database: min {min(ratios):.1f}x, "
        f"median {statistics.median(ratios):.1f}x, max {max(ratios):.1f}x"
    )


if __name__ == "__main__":
    main()
