"""The shop under gunicorn, with a bare Flask route mounted beside it at ``/bare``.

The shop is created with a test configuration (sandbox mode, SQLite in a temporary folder or
the database given), so a developer's instance settings and live keys are never read. Each
worker builds the same WSGI app from the ``BENCH_*`` environment:

    gunicorn --pythonpath <repo> 'bench.support.server:bench_app()'
"""

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

import requests

REPO = Path(__file__).resolve().parents[2]
PRODUCT_ID_FIELD = re.compile(r'name="product_id" type="hidden" value="(\d+)"')
CSRF_FIELD = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


def bench_app():
    """The WSGI app each gunicorn worker serves: the shop, and a bare Flask route at /bare."""
    from flask import Flask
    from werkzeug.middleware.dispatcher import DispatcherMiddleware

    from shop import create_app

    config = {
        "SECRET_KEY": "bench",
        "DATABASE_URL": os.environ["BENCH_DATABASE_URL"],
        "SANDBOX_DATABASE_URL": os.environ["BENCH_SANDBOX_DATABASE_URL"],
        "LOG_LEVEL": "WARNING",
    }
    if os.environ.get("BENCH_REDIS_URL"):
        config["REDIS_URL"] = os.environ["BENCH_REDIS_URL"]
    shop = create_app(config)
    bare = Flask("bare")

    @bare.get("/")
    def hello():
        return "Hello, World!"

    return DispatcherMiddleware(shop, {"/bare": bare})


def prepare_database(data: Path, products: int = 10) -> dict:
    """A shop database in ``data`` with the demo catalog (repeated up to ``products``); the
    ``BENCH_*`` environment that points the workers at it."""
    sys.path.insert(0, str(REPO))
    from shop import create_app
    from shop.catalog.seed import seed_catalog
    from shop.extensions import db

    env = {
        "BENCH_DATABASE_URL": f"sqlite:///{data / 'shop.sqlite3'}",
        "BENCH_SANDBOX_DATABASE_URL": f"sqlite:///{data / 'sandbox.sqlite3'}",
    }
    app = create_app(
        {
            "SECRET_KEY": "bench",
            "DATABASE_URL": env["BENCH_DATABASE_URL"],
            "SANDBOX_DATABASE_URL": env["BENCH_SANDBOX_DATABASE_URL"],
            "LOG_LEVEL": "WARNING",
        }
    )
    with app.app_context():
        db.create_all()
        seed_catalog()
        add_products(products)
    return env


def add_products(total: int) -> None:
    """Copies of the demo products, with slugs of their own, until the shop has ``total``."""
    from shop.catalog.seed import PRODUCTS
    from shop.extensions import db
    from shop.models import Product

    have = db.session.scalar(db.select(db.func.count(Product.id)))
    for number in range(have, total):
        fields = dict(PRODUCTS[number % len(PRODUCTS)])
        fields["slug"] = f"{fields['slug']}-{number}"
        fields["stock"] = max(fields["stock"], 1) * 100
        db.session.add(Product(**fields))
    db.session.commit()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def gunicorn(env: dict, workers: int, shop: Path = REPO):
    """gunicorn serving ``bench_app()`` with ``workers`` sync workers; yields (base URL,
    master's process). Started in an empty folder, so no gunicorn.conf.py is read: no access
    log, for the shop and the bare route alike. ``shop`` is the checkout whose ``shop``
    package it serves (another commit's, to compare)."""
    port = free_port()
    folder = tempfile.mkdtemp()
    process = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "--pythonpath",
            f"{shop},{REPO}",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--log-level",
            "warning",
            "bench.support.server:bench_app()",
        ],
        cwd=folder,
        env={**os.environ, **env},
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(base, process)
        yield base, process
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)
        shutil.rmtree(folder, ignore_errors=True)


def wait_until_up(base: str, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"gunicorn stopped with status {process.returncode}")
        try:
            if requests.get(base + "/bare/", timeout=10).ok:
                return
        except (requests.ConnectionError, requests.Timeout):
            pass
        time.sleep(0.1)
    raise SystemExit("gunicorn did not answer in 60 s")


def session_with_cart(base: str, slug: str) -> str:
    """The session cookie of a buyer who put one ``slug`` in the cart, as a browser would."""
    browser = requests.Session()
    page = browser.get(f"{base}/products/{slug}", timeout=10).text
    form = {"product_id": PRODUCT_ID_FIELD.search(page).group(1), "quantity": "1"}
    # A first visit's page has no token (its origin vouches for the POST, shop/csrf.py); an
    # older shop's has one.
    token = CSRF_FIELD.search(page)
    if token:
        form["csrf_token"] = token.group(1)
    answer = browser.post(
        f"{base}/cart/add",
        data=form,
        headers={"Origin": base},
        allow_redirects=False,
        timeout=10,
    )
    if answer.status_code != 303:
        raise SystemExit(f"adding to the cart answered {answer.status_code}")
    return browser.cookies["session"]


def worker_pids(master: int) -> list[int]:
    """gunicorn's workers: the master's children."""
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    return [int(pid) for pid in children]


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise SystemExit(f"no VmRSS for process {pid}")


def cpu_seconds(pids: list[int]) -> float:
    """The CPU time (user and system) the processes have used so far."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])  # utime, stime: fields 14 and 15
    return total / ticks
