"""Fixtures for the shop's HTTP tests: a seeded shop on temporary SQLite files, CSRF left on."""

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient

from shop import create_app
from shop.catalog.seed import seed_catalog
from shop.extensions import db
from shop.models import Product

# The hidden field in every form, or the meta tag base.html puts on every page.
CSRF_TOKEN = re.compile(r'name="csrf[_-]token"[^>]*(?:value|content)="([^"]+)"')


def make_app(tmp_path, seed: bool = True, **config) -> Flask:
    """A shop on its own SQLite files in ``tmp_path``, optionally with the demo catalog."""
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'shop.sqlite3'}",
            "SANDBOX_DATABASE_URL": f"sqlite:///{tmp_path / 'sandbox.sqlite3'}",
            **config,
        }
    )
    with app.app_context():
        db.create_all()
        if seed:
            seed_catalog()
    return app


@pytest.fixture
def app(tmp_path) -> Flask:
    return make_app(tmp_path)


@pytest.fixture
def app_factory(tmp_path_factory):
    """Build a shop with other settings: ``app_factory(seed=False, PORTONE_MODE="live", ...)``."""

    def build(seed: bool = True, **config) -> Flask:
        return make_app(tmp_path_factory.mktemp("shop"), seed, **config)

    return build


@pytest.fixture
def client(app) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


class ShopActions:
    """What a shopper's browser does, in one line each: read the CSRF token, post a form, look."""

    def __init__(self, app: Flask, client: FlaskClient):
        self.app = app
        self.client = client

    def csrf_token(self, path: str = "/") -> str:
        """The CSRF token a page hands out, read from its HTML as a browser would."""
        page = self.client.get(path).get_data(as_text=True)
        match = CSRF_TOKEN.search(page)
        assert match, f"no CSRF token on {path}"
        return match.group(1)

    def post(self, path: str, data: dict, **kwargs):
        """Post a form with a valid CSRF token, as the shop's pages do."""
        return self.client.post(path, data={"csrf_token": self.csrf_token(), **data}, **kwargs)

    def add_to_cart(self, slug: str, quantity: int | str = 1, **kwargs):
        item = self.product(slug)
        return self.post("/cart/add", {"product_id": item.id, "quantity": quantity}, **kwargs)

    def cart(self) -> dict:
        """The cart as stored in the session cookie."""
        with self.client.session_transaction() as session:
            return dict(session.get("cart", {}))

    def product(self, slug: str) -> Product:
        """A product as the database has it now."""
        with self.app.app_context():
            item = db.session.scalar(db.select(Product).filter_by(slug=slug))
            assert item is not None, slug
            return item

    def update_product(self, slug: str, **fields) -> None:
        with self.app.app_context():
            item = db.session.scalar(db.select(Product).filter_by(slug=slug))
            for name, value in fields.items():
                setattr(item, name, value)
            db.session.commit()


@pytest.fixture
def shop(app, client) -> ShopActions:
    return ShopActions(app, client)
