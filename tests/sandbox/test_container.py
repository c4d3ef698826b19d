"""The sandbox's container settings: the console script started with the environment
``Dockerfile.sandbox`` gives it, plus what the documented ``docker run -e`` adds, answers with
those credentials and sends webhooks where they say. (The image itself needs a registry to
build; its command is this same console script.)"""

import json
import os
import queue
import re
import shlex
import socket
import subprocess
import sys
import threading
from pathlib import Path

import pytest
import requests

from tests.sandbox.contract import Receiver, ok, refused, rsp_in

DOCKERFILE = Path(__file__).parents[2] / "Dockerfile.sandbox"
CONSOLE_SCRIPT = Path(sys.executable).with_name("portone-sandbox")
DECISION = re.compile(r'action="([^"]+)" class="decision"')
KEY = re.compile(r'name="key" value="([^"]+)"')
DEFAULT_KEY = {"imp_key": "sandbox-key", "imp_secret": "sandbox-secret"}
SHOP_KEY = {"imp_key": "shop-test-key", "imp_secret": "shop-test-secret"}


def image_environment() -> dict[str, str]:
    """The variables the image's ``ENV`` instructions set."""
    text = DOCKERFILE.read_text().replace("\\\n", " ")
    found = {}
    for line in text.splitlines():
        if line.startswith("ENV "):
            found.update(pair.split("=", 1) for pair in shlex.split(line[4:]))
    return found


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def receiver_url(receiver_server):
    """A webhook endpoint for this test, and what it receives."""
    target = Receiver()
    receiver_server.server.app.current = target
    yield f"{receiver_server.url}/portone/webhook", target
    target.open.set()


@pytest.fixture
def container(tmp_path, receiver_url):
    """The console script as the container runs it: the image's environment, with the
    credentials and webhook settings ``docker run -e`` passes. The container listens on all of
    its own interfaces; here the host's loopback stands in for them."""
    url, _ = receiver_url
    port = free_port()
    env = {
        **os.environ,
        **image_environment(),
        "SANDBOX_HOST": "127.0.0.1",
        "SANDBOX_PORT": str(port),
        "SANDBOX_IMP_CODE": "imp12345678",
        "SANDBOX_API_KEY": SHOP_KEY["imp_key"],
        "SANDBOX_API_SECRET": SHOP_KEY["imp_secret"],
        "PORTONE_WEBHOOK_URL": url,
        "SANDBOX_WEBHOOK_CONTENT_TYPE": "form",
        "SANDBOX_MERCHANT_NAME": "Tea House",
        "SANDBOX_SHOP_URL": "http://shop.test/",
    }
    env.pop("SANDBOX_DATABASE_URL", None)
    process = subprocess.Popen(
        [str(CONSOLE_SCRIPT)], cwd=tmp_path, env=env, stderr=subprocess.PIPE, text=True
    )
    log = started(process)
    yield f"http://127.0.0.1:{port}"
    process.terminate()
    process.wait(timeout=10)
    log.join(timeout=10)


def started(process: subprocess.Popen) -> threading.Thread:
    """Wait until the server says it is listening; the thread that keeps reading its log (a
    full pipe would stall it)."""
    lines: queue.Queue = queue.Queue()

    def read() -> None:
        for line in process.stderr:
            lines.put(line)
        lines.put(None)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    seen = []
    while (line := lines.get(timeout=30)) is not None:
        seen.append(line)
        if "Running on" in line:
            return reader
    pytest.fail(f"the console script stopped: {''.join(seen)}")


def test_the_image_runs_the_console_script_with_its_port():
    assert image_environment()["SANDBOX_PORT"] == "5001"
    assert image_environment()["SANDBOX_HOST"] == "0.0.0.0"
    assert re.search(r'^CMD \["portone-sandbox"\]$', DOCKERFILE.read_text(), re.M)
    assert re.search(r"^EXPOSE 5001$", DOCKERFILE.read_text(), re.M)


def test_it_answers_with_the_credentials_from_the_environment(container, tmp_path):
    refused(requests.post(f"{container}/users/getToken", json=DEFAULT_KEY, timeout=5), 401, -1)
    token = ok(requests.post(f"{container}/users/getToken", json=SHOP_KEY, timeout=5))
    assert len(token["access_token"]) == 40

    as_default = {"Authorization": f"Bearer {DEFAULT_KEY['imp_secret']}"}
    as_shop = {"Authorization": f"Bearer {SHOP_KEY['imp_secret']}"}
    refused(requests.get(f"{container}/_sandbox/clock", headers=as_default, timeout=5), 401, -1)
    assert requests.get(f"{container}/_sandbox/clock", headers=as_shop, timeout=5).ok
    # The state is kept where the image keeps it: instance/ under the working directory.
    assert (tmp_path / "instance" / "portone-sandbox.sqlite3").exists()


def open_window(base_url: str, imp_code: str) -> requests.Response:
    """What iamport.js posts when a page calls IMP.init(imp_code), then IMP.request_pay."""
    request_pay = {"merchant_uid": "order_container", "amount": 14000, "name": "Tea"}
    return requests.post(
        f"{base_url}/window/open",
        data={
            "imp_code": imp_code,
            "mode": "overlay",
            "origin": "http://shop.test",
            "request_id": "0123456789abcdef",
            "params": json.dumps(request_pay),
        },
        timeout=5,
    )


def test_the_merchant_code_and_the_webhook_url_come_from_the_environment(container, receiver_url):
    _, received = receiver_url
    assert rsp_in(open_window(container, "imp00000000").text)["error_code"] == "F401"
    window = open_window(container, "imp12345678").text
    assert rsp_in(window) is None, window
    assert '<dd class="merchant">Tea House</dd>' in window
    dashboard = requests.get(f"{container}/", timeout=5).text
    assert '<a class="shop" href="http://shop.test/">Back to Tea House</a>' in dashboard
    decision = {"key": KEY.search(window).group(1), "decision": "approve"}
    paid = rsp_in(
        requests.post(container + DECISION.search(window).group(1), data=decision, timeout=5).text
    )
    assert paid["success"] is True

    [webhook] = received.wait_for(1)
    assert webhook["content_type"] == "application/x-www-form-urlencoded"
    assert webhook["form"] == {
        "imp_uid": paid["imp_uid"],
        "merchant_uid": "order_container",
        "status": "paid",
    }


@pytest.mark.parametrize(
    ("variable", "value"),
    [("SANDBOX_WEBHOOK_RETRY", "sometimes"), ("SANDBOX_WEBHOOK_CONTENT_TYPE", "xml")],
)
def test_a_bad_setting_stops_it_with_a_message(tmp_path, variable, value):
    env = {**os.environ, variable: value, "SANDBOX_PORT": str(free_port())}
    finished = subprocess.run(
        [str(CONSOLE_SCRIPT)], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=30
    )
    assert finished.returncode == 2
    assert variable in finished.stderr
