"""Reach the sandbox mounted in this process without a network hop.

A single-threaded shop that called its own socket would wait on itself forever; instead the
client's requests are handed straight to the sandbox's WSGI app by this transport adapter.
"""

from urllib.parse import urlsplit

import requests
from flask import has_request_context, request
from requests.adapters import BaseAdapter
from requests.structures import CaseInsensitiveDict
from werkzeug.test import Client

# The base URL the shop's client uses for the embedded sandbox; never resolved on a network.
EMBEDDED_BASE = "http://portone-sandbox.embedded"


class WSGIAdapter(BaseAdapter):
    """A requests transport that serves every request by calling a WSGI app."""

    def __init__(self, app, script_name: str):
        super().__init__()
        self.client = Client(app, use_cookies=False)
        self.script_name = script_name

    def send(self, prepared, stream=False, timeout=None, verify=True, cert=None, proxies=None):
        url = urlsplit(prepared.url)
        path = url.path.removeprefix(self.script_name) or "/"
        result = self.client.open(
            path=path,
            base_url=self._public_root() + self.script_name,
            query_string=url.query,
            method=prepared.method,
            headers=dict(prepared.headers),
            data=prepared.body or b"",
        )
        response = requests.Response()
        response.status_code = result.status_code
        response.headers = CaseInsensitiveDict(result.headers)
        response._content = result.get_data()
        response.encoding = "utf-8"
        response.url = prepared.url
        response.request = prepared
        response.reason = result.status.partition(" ")[2]
        return response

    def close(self):
        pass

    @staticmethod
    def _public_root() -> str:
        """The host the browser uses, so the sandbox builds links (receipts) that open for it."""
        if has_request_context():
            return request.host_url.rstrip("/")
        return "http://127.0.0.1:5000"


def embedded_session(app, script_name: str) -> requests.Session:
    session = requests.Session()
    session.mount(EMBEDDED_BASE + "/", WSGIAdapter(app, script_name))
    return session
