"""The sandbox as the shop mounts it at ``/portone-sandbox``, inside the shop's own process: what
it reads, and where it may send webhooks."""

import json
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from shop import create_app
from tests.sandbox.contract import rsp_in

MIB = 1024 * 1024
# How much the server may grow while it is sent a body it must refuse.
GROWTH_LIMIT = 100 * MIB

# The shop served by werkzeug's development server, as `flask run` serves it; prints its port.
SERVE_SHOP = """
import sys
from werkzeug.serving import make_server
from shop import create_app

data = sys.argv[1]
app = create_app({
    "SECRET_KEY": "mounted-test",
    "DATABASE_URL": f"sqlite:///{data}/shop.sqlite3",
    "SANDBOX_DATABASE_URL": f"sqlite:///{data}/sandbox.sqlite3",
})
server = make_server("127.0.0.1", 0, app, threaded=True)
print(server.server_port, flush=True)
server.serve_forever()
"""


@pytest.fixture
def shop_process(tmp_path):
    """A shop in a process of its own, on a free loopback port: its pid and port."""
    process = subprocess.Popen(
        [sys.executable, "-c", SERVE_SHOP, str(tmp_path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        port = process.stdout.readline().strip()
        assert port, "the shop did not start"
        yield process.pid, int(port)
    finally:
        process.kill()
        process.wait(timeout=10)


def resident_memory(pid: int) -> int:
    """The process's resident set size in bytes, as the kernel counts it."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise AssertionError(f"no VmRSS for {pid}")


def answer_while_watching_memory(conn: socket.socket, pid: int, baseline: int) -> bytes:
    """Everything the server sends until it closes, checking its memory all the while."""
    answer = b""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        grown = resident_memory(pid) - baseline
        assert grown < GROWTH_LIMIT, f"the server grew by {grown // MIB} MiB"
        try:
            chunk = conn.recv(65536)
        except TimeoutError:
            continue
        if not chunk:
            return answer
        answer += chunk
    raise AssertionError(f"no answer in 10 s; got {answer!r}")


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads memory use from /proc")
@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", "/portone-sandbox/users/getToken"),
        ("POST", "/portone-sandbox/window/open"),
        ("GET", "/portone-sandbox/"),
    ],
)
def test_an_unterminated_chunked_body_cannot_exhaust_memory(shop_process, method, path):
    pid, port = shop_process
    baseline = resident_memory(pid)
    head = (
        f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
        "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
    )
    # One chunk announced as 64 GiB, and the client stops sending inside it: 1.1 KB in all.
    body = b"1000000000\r\n" + b"{" * 1024
    with socket.create_connection(("127.0.0.1", port), timeout=0.1) as conn:
        conn.sendall(head.encode() + body)
        conn.shutdown(socket.SHUT_WR)
        answer = answer_while_watching_memory(conn, pid, baseline)

    # Refused once the body limit is reached, or sooner for what the truncated body holds.
    assert answer.split(b" ", 2)[1] in (b"400", b"413"), answer[:200]
    assert resident_memory(pid) - baseline < GROWTH_LIMIT
    sdk = requests.get(f"http://127.0.0.1:{port}/portone-sandbox/v1/iamport.js", timeout=5)
    assert sdk.status_code == 200


def make_shop(data: Path, **config):
    return create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "mounted-test",
            "DATABASE_URL": f"sqlite:///{data / 'shop.sqlite3'}",
            "SANDBOX_DATABASE_URL": f"sqlite:///{data / 'sandbox.sqlite3'}",
            **config,
        }
    )


@pytest.fixture
def shop_app(tmp_path):
    return make_shop(tmp_path)


def open_window(client, notice_url: str, host: str = "localhost"):
    """What iamport.js posts from the shop's payment page, served at ``host``, to open a
    window."""
    params = {
        "pg": "kakaopay",
        "merchant_uid": "ord_mounted",
        "name": "녹차",
        "amount": 14000,
        "notice_url": notice_url,
    }
    return client.post(
        "/portone-sandbox/window/open",
        data={
            "mode": "overlay",
            "origin": f"http://{host}",
            "request_id": "0123456789abcdef",
            "imp_code": "imp00000000",
            "params": json.dumps(params),
        },
        headers={"Host": host},
    )


@pytest.mark.parametrize(
    "notice_url",
    [
        "http://127.0.0.1:6379/",
        "http://169.254.169.254/latest/meta-data/",
        "http://localhost:5432/portone/webhook",
        "http://localhost/portone/webhook/../../admin",
        "https://attacker.example/portone/webhook",
    ],
)
def test_the_mounted_sandbox_refuses_a_foreign_notice_url(shop_app, notice_url):
    client = shop_app.test_client()
    page = open_window(client, notice_url).get_data(as_text=True)
    rsp = rsp_in(page)
    assert rsp is not None, "the window opened"
    assert (rsp["success"], rsp["imp_uid"], rsp["error_code"]) == (False, None, "F400")
    assert "notice_url" in rsp["error_msg"]
    dashboard = client.get("/portone-sandbox/").get_data(as_text=True)
    assert "결제 내역이 없습니다." in dashboard


def test_the_mounted_sandbox_accepts_the_shops_own_webhook(shop_app):
    client = shop_app.test_client()
    response = open_window(client, "http://localhost/portone/webhook")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert 'class="decision"' in page
    assert rsp_in(page) is None


def test_with_trusted_hosts_a_forged_host_cannot_widen_the_allow_list(tmp_path):
    """The shop's webhook path counts on the request's own host, so the host must be one the
    shop trusts: a request claiming to come to an internal address is refused outright."""
    client = make_shop(tmp_path, TRUSTED_HOSTS=["localhost"]).test_client()
    response = open_window(client, "http://10.0.0.5:6379/portone/webhook", host="10.0.0.5:6379")
    assert response.status_code == 400
    assert rsp_in(response.get_data(as_text=True)) is None
    assert open_window(client, "http://localhost/portone/webhook").status_code == 200


def test_the_mounted_sandbox_names_the_shop_and_links_back_to_it(shop_app):
    client = shop_app.test_client()
    window = open_window(client, "http://localhost/portone/webhook").get_data(as_text=True)
    assert '<dd class="merchant">소소상점 Soso Market</dd>' in window
    assert "imp00000000" not in window
    dashboard = client.get("/portone-sandbox/").get_data(as_text=True)
    assert '<a class="shop" href="/">Back to 소소상점 Soso Market</a>' in dashboard


def test_a_fork_names_its_own_shop(tmp_path):
    client = make_shop(tmp_path, SHOP_NAME="Tea House").test_client()
    window = open_window(client, "http://localhost/portone/webhook").get_data(as_text=True)
    assert '<dd class="merchant">Tea House</dd>' in window
