"""A stand-in at PortOne's address that hands out a token and gives one fixed answer to all else.

For what the sandbox never does: answer a payment lookup with something that is not a payment.
"""

from collections.abc import Iterator
from contextlib import contextmanager

from flask import Flask, jsonify

from shop.portone import PortOneClient
from tests.servers import LiveServer

PAYMENT = {
    "imp_uid": "imp_123456789012",
    "merchant_uid": "ord_20261127_0123456789abcdef",
    "status": "paid",
    "amount": 14000,
    "currency": "KRW",
}


@contextmanager
def answering(response) -> Iterator[PortOneClient]:
    """A client of a PortOne whose every call but getToken succeeds with ``response``."""
    app = Flask("fake_portone")

    @app.post("/users/getToken")
    def token():
        auth = {"access_token": "f" * 40, "now": 0, "expired_at": 1800}
        return jsonify(code=0, message=None, response=auth)

    @app.route("/<path:path>", methods=["GET", "POST", "DELETE"])
    def anything(path):
        return jsonify(code=0, message=None, response=response)

    server = LiveServer(app).start()
    try:
        yield PortOneClient(server.url, "k", "s", timeout=(1, 3))
    finally:
        server.stop()
