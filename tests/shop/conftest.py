"""Fixtures for the shop's HTTP tests: a seeded shop of its own per test, CSRF left on.

Each test's shop keeps its tables in memory (its embedded sandbox in a file of the test's):
builders and actions live in ``tests/shop/apps.py`` and ``tests/shop/actions.py``.
"""

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.shop.actions import ShopActions
from tests.shop.apps import make_app


@pytest.fixture
def app(tmp_path) -> Flask:
    return make_app(tmp_path, in_memory=True)


@pytest.fixture
def app_factory(tmp_path_factory):
    """Build a shop with other settings: ``app_factory(seed=False, PORTONE_MODE="live", ...)``;
    ``in_memory=False`` keeps its tables in a file, as a live server's must be."""

    def build(seed: bool = True, in_memory: bool = True, **config) -> Flask:
        return make_app(tmp_path_factory.mktemp("shop"), seed, in_memory=in_memory, **config)

    return build


@pytest.fixture
def client(app) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def shop(app, client) -> ShopActions:
    return ShopActions(app, client)
