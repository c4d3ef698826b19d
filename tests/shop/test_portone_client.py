"""The PortOne client, over real HTTP against the standalone sandbox and in-process."""

import threading

import pytest
import requests
from flask import Flask, Response

from shop.portone import PortOneClient, PortOneError, PortOneNotFound, PortOneUnavailable
from tests.servers import LiveServer


@pytest.fixture
def client(sandbox):
    return PortOneClient(sandbox.url, "sandbox-key", "sandbox-secret", timeout=(1, 3))


def test_token_is_fetched_once_and_reused(client):
    first = client.access_token()
    client.prepare("ord_reuse_1", 14000)
    client.get_prepared("ord_reuse_1")
    assert client.access_token() == first
    assert len(first) == 40


def test_new_token_once_after_a_401(client, sandbox):
    stale = client.access_token()
    # A reset forgets every token, as PortOne does when one is revoked.
    requests.post(f"{sandbox.url}/_sandbox/reset", timeout=5).raise_for_status()
    assert client.prepare("ord_after_401", 1000)["amount"] == 1000
    assert client.access_token() != stale


def test_refusal_carries_status_code_and_message(client):
    client.prepare("ord_twice", 5000)
    with pytest.raises(PortOneError) as caught:
        client.prepare("ord_twice", 5000)
    assert caught.value.status == 200
    assert caught.value.code == 1
    assert "merchant_uid" in caught.value.message


def test_unknown_payment_is_not_found(client):
    with pytest.raises(PortOneNotFound) as caught:
        client.get_payment("imp_000000000000")
    assert caught.value.status == 404
    assert caught.value.code == -1


@pytest.mark.parametrize("imp_uid", ["../users/getToken", ".", "..", "%2E%2E"])
def test_path_segments_cannot_escape(client, imp_uid):
    with pytest.raises(PortOneNotFound):
        client.get_payment(imp_uid)


def test_wrong_credentials_are_refused(sandbox):
    client = PortOneClient(sandbox.url, "sandbox-key", "wrong", timeout=(1, 3))
    with pytest.raises(PortOneError) as caught:
        client.get_payment("imp_000000000000")
    assert caught.value.status == 401


def _odd_server(view) -> LiveServer:
    app = Flask("odd")
    app.add_url_rule("/<path:path>", view_func=view, methods=["GET", "POST"])
    return LiveServer(app).start()


def test_read_timeout_is_unavailable():
    release = threading.Event()

    def slow(path):
        release.wait(5)
        return Response("{}", mimetype="application/json")

    server = _odd_server(slow)
    try:
        client = PortOneClient(server.url, "k", "s", timeout=(1, 0.3))
        with pytest.raises(PortOneUnavailable):
            client.get_payment("imp_123456789012")
    finally:
        release.set()
        server.stop()


def test_body_without_envelope_is_unavailable():
    server = _odd_server(lambda path: Response("<html>maintenance</html>", status=502))
    try:
        client = PortOneClient(server.url, "k", "s", timeout=(1, 3))
        with pytest.raises(PortOneUnavailable) as caught:
            client.access_token()
        assert caught.value.status == 502
    finally:
        server.stop()


def test_connection_refused_is_unavailable():
    server = _odd_server(lambda path: "")
    url = server.url
    server.stop()
    client = PortOneClient(url, "k", "s", timeout=(0.5, 1))
    with pytest.raises(PortOneUnavailable):
        client.access_token()


def test_embedded_client_reaches_the_mounted_sandbox_without_a_socket(app):
    client = app.extensions["portone"]
    assert client.api_base.startswith("http://portone-sandbox.embedded")
    with app.test_request_context(base_url="http://shop.test"):
        prepared = client.prepare("ord_embedded_1", 23000)
        assert (prepared["merchant_uid"], prepared["amount"]) == ("ord_embedded_1", 23000)
        assert client.get_prepared("ord_embedded_1")["amount"] == 23000
