"""End-to-end: the whole shop, embedded sandbox included, served on a free port to Chromium.

What the buyer does in the browser is in ``tests/e2e/actions.py``.
"""

import pytest

from shop import create_app
from shop.catalog.seed import seed_catalog
from shop.extensions import db, limiter
from tests.language import BROWSER_LOCALES
from tests.sandbox_controls import reset_sandbox
from tests.servers import LiveServer
from tests.shop.apps import CHEAP_PASSWORD_HASH


@pytest.fixture(scope="session")
def shop_server(tmp_path_factory):
    data = tmp_path_factory.mktemp("e2e")
    app = create_app(
        {
            "SECRET_KEY": "e2e-secret",
            "DATABASE_URL": f"sqlite:///{data / 'shop.sqlite3'}",
            "SANDBOX_DATABASE_URL": f"sqlite:///{data / 'sandbox.sqlite3'}",
            "PASSWORD_HASH_METHOD": CHEAP_PASSWORD_HASH,
        }
    )
    server = LiveServer(app).start()
    yield server
    server.stop()


@pytest.fixture
def lang() -> str:
    """The buyer's language: English, unless a test parametrizes ``lang`` over ``LANGS``."""
    return "en"


@pytest.fixture
def browser_context_args(browser_context_args, lang):
    """The ``page`` and ``new_context`` of a test speak its ``lang``."""
    return {**browser_context_args, "locale": BROWSER_LOCALES[lang]}


@pytest.fixture
def shop(shop_server):
    """The live shop with a freshly seeded catalog, an empty sandbox and no rate limit used
    (every test's browser comes from the same address)."""
    reset_sandbox(f"{shop_server.url}/portone-sandbox")
    limiter.reset()
    with shop_server.app.app_context():
        db.drop_all()
        db.create_all()
        seed_catalog()
    return shop_server
