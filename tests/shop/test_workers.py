"""Several hosts behind a load balancer: three gunicorn processes of two workers each, on one
PostgreSQL database and one Redis, as the README's scale-out section runs them. A buyer's
requests go to each host in turn: the session (a signed cookie) holds on every one, the rate
limits count together in Redis, and every door of a payment arriving at once, on every host,
fulfils the order exactly once.

Slow (about 15 s: three servers start) and marked ``postgres`` and ``redis``.
"""

import os
import secrets
import subprocess
import sys
import threading
import time

import pytest
import requests
from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session

from shop.config import ENV_NAMES
from shop.models import Order, OrderStatus, PaymentEvent, Product
from tests.postgres import POSTGRES_URL
from tests.redis import REDIS_URL, forget, key_prefix, keys
from tests.sandbox_controls import control
from tests.servers import ROOT, Gunicorn
from tests.shop.http_buyer import QUANTITY, Browser, pay_in_window

pytestmark = [pytest.mark.postgres, pytest.mark.redis]

HOSTS = 3
TOO_MANY_ORDERS = "Too many orders from your address"

# The hosts' shipping rule, so that the test knows what an order costs.
SHIPPING_FEE, FREE_SHIPPING_FROM = 3000, 50000


@pytest.fixture
def database():
    engine = create_engine(POSTGRES_URL)
    with Session(engine) as session:
        yield session
    engine.dispose()


@pytest.fixture
def hosts(tmp_path):
    """The shop on three hosts; migrations and the catalog made once, before they start."""
    prefix = key_prefix()
    env = {
        **{name: value for name, value in os.environ.items() if name not in ENV_NAMES},
        "SHOP_INSTANCE_PATH": str(tmp_path / "instance"),
        "DATABASE_URL": POSTGRES_URL,
        # The embedded sandbox plays PortOne for every host: one database they share.
        "SANDBOX_DATABASE_URL": f"sqlite:///{tmp_path / 'sandbox.sqlite3'}",
        "SECRET_KEY": secrets.token_hex(32),
        "REDIS_URL": REDIS_URL,
        "RATELIMIT_KEY_PREFIX": prefix,
        "ORDERS_PER_ADDRESS": "3 per 10 minutes",
        "PROXY_FIX_HOPS": "1",
        "SHIPPING_FEE": str(SHIPPING_FEE),
        "FREE_SHIPPING_FROM": str(FREE_SHIPPING_FROM),
    }
    seeded = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "shop", "seed"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert seeded.returncode == 0, seeded.stderr
    servers = []
    try:
        for _ in range(HOSTS):
            servers.append(Gunicorn(env, workers=2))
        yield [server.url for server in servers], prefix
    finally:
        for server in servers:
            server.stop()
        forget(prefix)


def every_door_at_once(browser: Browser, hosts: list[str], query: dict) -> list[int]:
    """The callback, the phone redirect and a webhook on every host, released together."""
    imp_uid = query["imp_uid"]
    token = browser.csrf_token()
    doors = []
    for host in hosts:
        doors += [
            lambda h=host: browser.request(
                "POST",
                "/checkout/complete",
                h,
                json={"imp_uid": imp_uid},
                headers={"X-CSRFToken": token},
            ),
            lambda h=host: browser.request("GET", "/checkout/complete/mobile", h, params=query),
            lambda h=host: requests.post(
                f"{h}/portone/webhook", json={"imp_uid": imp_uid, "status": "paid"}, timeout=30
            ),
        ]
    start = threading.Barrier(len(doors))
    statuses: list[int] = []

    def knock(door) -> None:
        start.wait()
        statuses.append(door().status_code)

    threads = [threading.Thread(target=knock, args=(door,)) for door in doors]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return statuses


def wait_for(condition, seconds: float = 15.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)


def test_sessions_limits_and_fulfilment_hold_across_hosts(hosts, database):
    urls, prefix = hosts
    product = database.scalars(select(Product).where(Product.stock >= 10)).first()
    stock = product.stock
    buyer = Browser(urls, "198.51.100.7")

    # The session: the cart filled on one host is checked out on the next.
    placed = buyer.place(product.id)
    assert placed.status_code == 303, placed.text
    cart = buyer.request("GET", "/cart/")
    assert product.name in cart.text
    order = database.scalars(select(Order).order_by(Order.id.desc())).first()
    subtotal = product.price * QUANTITY
    shipping = 0 if subtotal >= FREE_SHIPPING_FROM else SHIPPING_FEE
    assert (order.status, order.amount) == (OrderStatus.PENDING, subtotal + shipping)

    # Every door on every host at once, and PortOne's own webhook: one fulfilment.
    # PortOne's own webhook is sent from the host that served the window.
    query = pay_in_window(buyer.http, f"{urls[1]}/portone-sandbox", urls[1], order)
    statuses = every_door_at_once(buyer, urls, query)
    assert sorted(statuses) == [200] * (2 * HOSTS) + [303] * HOSTS
    database.expire_all()

    def webhook_answered() -> bool:
        log = control("GET", f"{urls[1]}/portone-sandbox/_sandbox/webhooks").json()
        return [d["http_status"] for d in log["deliveries"]] == [200]

    # PortOne's own webhook too, answered by whichever host it reached.
    wait_for(webhook_answered)
    outcomes = database.scalars(
        select(PaymentEvent.outcome).where(PaymentEvent.order_id == order.id)
    ).all()
    assert outcomes.count("paid") == 1
    assert set(outcomes) <= {"paid", "already_paid"}
    database.refresh(order)
    database.refresh(product)
    assert order.status == OrderStatus.PAID
    assert product.stock == stock - QUANTITY

    # The rate limit counts on every host together: three orders, each request of them on
    # the next host, then none.
    for _ in range(2):
        assert buyer.place(product.id).status_code == 303
    refused = buyer.place(product.id)
    assert refused.status_code == 429
    assert TOO_MANY_ORDERS in refused.text
    placed_orders = database.scalar(select(func.count(Order.id)))
    assert placed_orders == 3
    # Counted in Redis, under this shop's prefix; another buyer's address is its own.
    assert keys(prefix)
    assert Browser(urls, "198.51.100.8").place(product.id).status_code == 303
