"""Shops for the HTTP tests: every test its own app and its own databases, built cheaply."""

from pathlib import Path

from flask import Flask
from jinja2 import BytecodeCache

from shop import create_app
from shop.catalog.seed import seed_catalog
from shop.extensions import db
from tests.language import EnglishClient

# scrypt at a thirty-second of werkzeug's default cost: still scrypt, but the hundreds of
# sign-ups and log-ins of the tests took half a minute of CPU at the default
# (tests/shop/test_accounts.py checks that the shop's own default is werkzeug's).
CHEAP_PASSWORD_HASH = "scrypt:1024:8:1"

# An in-memory SQLite database lives in one connection, which Flask-SQLAlchemy lets every thread
# share: right for the test client, which runs requests in the test's thread, wrong for requests
# at once or a live server, whose tests keep a file (in_memory=False).
IN_MEMORY = "sqlite://"


class _SharedTemplates(BytecodeCache):
    """Compiled templates shared by every app the tests build: compiling them again for each
    test's app was most of a request's time. Keyed by template and source checksum, as Jinja's
    own caches are, so an edited template is compiled afresh."""

    def __init__(self):
        self.compiled: dict[str, bytes] = {}

    def load_bytecode(self, bucket) -> None:
        if bucket.key in self.compiled:
            bucket.bytecode_from_string(self.compiled[bucket.key])

    def dump_bytecode(self, bucket) -> None:
        self.compiled[bucket.key] = bucket.bytecode_to_string()


_TEMPLATES = _SharedTemplates()


def make_app(tmp_path: Path, seed: bool = True, in_memory: bool = False, **config) -> Flask:
    """A shop of its own, optionally with the demo catalog.

    Its database is an SQLite file in ``tmp_path`` or, with ``in_memory``, in memory; the
    embedded sandbox's is always a file there, since its webhooks write from their own threads.
    ``config`` overrides either (``DATABASE_URL=...`` for PostgreSQL).
    """
    database = IN_MEMORY if in_memory else f"sqlite:///{tmp_path / 'shop.sqlite3'}"
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret",
            "DATABASE_URL": database,
            "SANDBOX_DATABASE_URL": f"sqlite:///{tmp_path / 'sandbox.sqlite3'}",
            "PASSWORD_HASH_METHOD": CHEAP_PASSWORD_HASH,
            **config,
        }
    )
    app.jinja_env.bytecode_cache = _TEMPLATES
    # The tests name things in English; one that wants Korean says so in its request.
    app.test_client_class = EnglishClient
    with app.app_context():
        db.create_all()
        if seed:
            seed_catalog()
    return app
