"""A non-editable install serves the shop: wheel → throwaway venv → ``flask seed`` → gunicorn.

It takes a while (about 10 s): it builds the wheel, installs it, migrates a database and
starts gunicorn with the repository's ``gunicorn.conf.py``, as the Dockerfile does.
"""

import os
import queue
import re
import subprocess
import sys
import sysconfig
import threading
import time
from pathlib import Path

import pytest
import requests
from alembic.script import ScriptDirectory

from shop.catalog.seed import PRODUCTS
from shop.config import ENV_NAMES
from tests.language import t

ROOT = Path(__file__).resolve().parents[2]
LISTENING = re.compile(r"Listening at: (http://127\.0\.0\.1:\d+)")
START_TIMEOUT = 30


def run(*command, **kwargs) -> str:
    done = subprocess.run(
        [str(part) for part in command], capture_output=True, text=True, timeout=120, **kwargs
    )
    assert done.returncode == 0, f"{command}\n{done.stdout}\n{done.stderr}"
    return done.stdout


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """The python of a new venv holding the shop's wheel and nothing of this checkout.

    The venv borrows this venv's installed dependencies (Flask, gunicorn, ...) through a
    ``.pth`` line, so nothing is downloaded; this checkout's editable shop is not among them,
    because ``.pth`` files in a borrowed folder are not read.
    """
    work = tmp_path_factory.mktemp("install")
    run(
        sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
        "--wheel-dir", work / "dist", ROOT,
    )  # fmt: skip
    [wheel] = (work / "dist").glob("shop-*.whl")
    venv = work / "venv"
    run(sys.executable, "-m", "venv", "--without-pip", venv)
    python = venv / "bin" / "python"
    site = Path(run(python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))").strip())
    (site / "borrowed-dependencies.pth").write_text(sysconfig.get_path("purelib") + "\n")
    run(sys.executable, "-m", "pip", "--python", python, "install", "--no-deps", wheel)
    return python


@pytest.fixture(scope="module")
def environment() -> dict:
    """This process's environment without any of the shop's settings."""
    names = {*ENV_NAMES, "SHOP_INSTANCE_PATH", "FLASK_APP", "PYTHONPATH"}
    return {name: value for name, value in os.environ.items() if name not in names}


def test_the_installed_shop_is_the_wheels(installed, environment, tmp_path):
    where = run(installed, "-c", "import shop; print(shop.__file__)", cwd=tmp_path, env=environment)
    assert Path(where).is_relative_to(installed.parent.parent)


def test_seed_from_the_wheel_runs_its_migrations(installed, environment, tmp_path):
    environment = {**environment, "DATABASE_URL": f"sqlite:///{tmp_path / 'shop.sqlite3'}"}
    seeded = run(installed, "-m", "flask", "--app", "shop", "seed", cwd=tmp_path, env=environment)
    assert f"Seeded {len(PRODUCTS)} products" in seeded
    tables = run(
        installed, "-c",
        "import sqlite3, sys; print(sqlite3.connect(sys.argv[1]).execute("
        "'select version_num from alembic_version').fetchall())",
        tmp_path / "shop.sqlite3",
    )  # fmt: skip
    head = ScriptDirectory(str(ROOT / "migrations")).get_current_head()
    assert tables.strip() == str([(head,)])


def test_gunicorn_serves_every_page_from_the_wheel(installed, environment, tmp_path):
    # The default database, in the installed package's instance folder: seed it first.
    run(installed, "-m", "flask", "--app", "shop", "seed", cwd=tmp_path, env=environment)
    server = subprocess.Popen(
        [
            str(installed), "-m", "gunicorn", "--config", str(ROOT / "gunicorn.conf.py"),
            "--bind", "127.0.0.1:0", "shop:create_app()",
        ],
        cwd=tmp_path, env=environment, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        base = _listening_url(server)
        product = PRODUCTS[0]
        for path, text in [
            ("/", product["name"]),
            (f"/products/{product['slug']}", "Add to cart"),
            ("/cart/", "Your cart"),
            ("/static/css/shop.css", ".site-header"),
            ("/portone-sandbox/v1/iamport.js", "request_pay"),
        ]:
            response = requests.get(base + path, headers={"Accept-Language": "en"}, timeout=10)
            assert response.status_code == 200, path
            assert text in response.text, path
            # gunicorn.conf.py keeps the server software out of the Server header.
            assert response.headers["Server"] == "shop"
        # The wheel carries the compiled catalogs: a first visit is in Korean.
        assert t("Your cart", "ko") in requests.get(base + "/cart/", timeout=10).text
    finally:
        server.terminate()
        server.wait(timeout=10)


def _listening_url(server: subprocess.Popen) -> str:
    """The address gunicorn reports once it listens, read from its log."""
    lines: queue.Queue = queue.Queue()
    threading.Thread(
        target=lambda: [lines.put(line) for line in server.stderr], daemon=True
    ).start()
    deadline = time.monotonic() + START_TIMEOUT
    log = []
    while time.monotonic() < deadline:
        try:
            line = lines.get(timeout=max(deadline - time.monotonic(), 0))
        except queue.Empty:
            break
        log.append(line)
        if match := LISTENING.search(line):
            return match.group(1)
    raise AssertionError("gunicorn did not start:\n" + "".join(log))
