"""PortOne that accepts connections and never answers: every caller waits one timeout at most,
however many arrive together, and while it is down calls fail at once. And a token answer that
holds no token is an outage too, not a crash."""

import socket
import threading
import time

import pytest
import requests
from flask import Flask

from shop.portone import PortOneClient, PortOneUnavailable
from shop.portone.breaker import CircuitBreaker
from tests.servers import LiveServer

# Long beside the time a call takes on a loaded machine (a second or more), so that "one
# timeout, not one each" and "at once" are told apart by the timeout, not by the machine.
READ_TIMEOUT = 3.0
CALLERS = 5
IMP_UID = "imp_123456789012"


class SilentServer:
    """A TCP server on loopback that accepts every connection and never sends a byte."""

    def __init__(self):
        self.socket = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.socket.getsockname()[1]}"
        self.connections: list[socket.socket] = []
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    @property
    def accepted(self) -> int:
        return len(self.connections)

    def _accept(self) -> None:
        while True:
            try:
                connection, _ = self.socket.accept()
            except OSError:
                return
            self.connections.append(connection)

    def close(self) -> None:
        self.socket.shutdown(socket.SHUT_RDWR)
        self.socket.close()
        self.thread.join(timeout=5)
        for connection in self.connections:
            connection.close()


@pytest.fixture
def silent():
    server = SilentServer()
    yield server
    server.close()


def at_once(call, count: int = CALLERS) -> list[tuple[float, object]]:
    """Run ``call`` in ``count`` threads released together: (seconds taken, result) for each."""
    start = threading.Barrier(count)
    results: list = [None] * count

    def run(index: int) -> None:
        start.wait()
        began = time.monotonic()
        try:
            outcome = call()
        except Exception as exc:
            outcome = exc
        results[index] = (time.monotonic() - began, outcome)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=count * READ_TIMEOUT + 10)
    assert None not in results, "a caller never returned"
    return results


def test_concurrent_callers_share_one_token_fetch(silent):
    client = PortOneClient(silent.url, "k", "s", timeout=(1.0, READ_TIMEOUT))
    results = at_once(lambda: client.get_payment(IMP_UID))
    assert all(isinstance(outcome, PortOneUnavailable) for _, outcome in results)
    # One wait for all of them, not one each (that was 1, 2, 3, 4 and 5 timeouts).
    assert max(seconds for seconds, _ in results) < 2 * READ_TIMEOUT
    assert silent.accepted == 1


def test_while_portone_is_down_calls_fail_at_once(silent):
    client = PortOneClient(silent.url, "k", "s", timeout=(1.0, READ_TIMEOUT))
    with pytest.raises(PortOneUnavailable):
        client.get_payment(IMP_UID)
    began = time.monotonic()
    with pytest.raises(PortOneUnavailable, match="trying again in"):
        client.prepare("ord_outage_1", 1000)
    assert time.monotonic() - began < READ_TIMEOUT / 4
    assert silent.accepted == 1


def test_after_the_cooldown_portone_is_tried_again(silent):
    now = [1000.0]
    client = PortOneClient(silent.url, "k", "s", timeout=(1.0, 0.2))
    client.breaker = CircuitBreaker(5.0, clock=lambda: now[0])
    with pytest.raises(PortOneUnavailable):
        client.access_token()
    now[0] += 4.9
    with pytest.raises(PortOneUnavailable, match=r"trying again in 0\.1 s"):
        client.access_token()
    assert silent.accepted == 1
    now[0] += 0.1
    with pytest.raises(PortOneUnavailable, match="unreachable: ReadTimeout"):
        client.access_token()
    assert silent.accepted == 2


@pytest.mark.parametrize(
    "answer", [{}, {"access_token": None, "now": 1, "expired_at": 2}, {"access_token": "t"}]
)
def test_a_token_answer_without_a_token_is_unavailable(answer):
    app = Flask("odd")
    app.post("/users/getToken")(lambda: {"code": 0, "message": None, "response": answer})
    server = LiveServer(app).start()
    try:
        client = PortOneClient(server.url, "k", "s", timeout=(1.0, READ_TIMEOUT))
        with pytest.raises(PortOneUnavailable, match="without a token"):
            client.access_token()
    finally:
        server.stop()


def test_webhooks_while_portone_hangs_all_answer_within_one_timeout(app_factory, silent):
    # Served to requests at once: its database is a file, not one connection they share.
    app = app_factory(
        seed=False,
        in_memory=False,
        PORTONE_API_BASE=silent.url,
        PORTONE_TIMEOUT=(1.0, READ_TIMEOUT),
    )
    shop = LiveServer(app).start()
    try:
        results = at_once(
            lambda: requests.post(
                f"{shop.url}/portone/webhook", json={"imp_uid": IMP_UID}, timeout=30
            )
        )
    finally:
        shop.stop()
    # 503 asks PortOne to send each again later.
    assert [response.status_code for _, response in results] == [503] * CALLERS
    assert max(seconds for seconds, _ in results) < 2 * READ_TIMEOUT
