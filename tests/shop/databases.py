"""A seeded shop on either database the tests run on."""

from flask import Flask

from shop.catalog.seed import seed_catalog
from shop.extensions import db
from tests.postgres import POSTGRES_URL


def shop_on(database: str, app_factory) -> Flask:
    """A seeded shop on a temporary SQLite file (threads need real connections, which an
    in-memory database does not give), or on the PostgreSQL test database emptied."""
    if database == "sqlite":
        return app_factory(in_memory=False)
    app = app_factory(seed=False, DATABASE_URL=POSTGRES_URL)
    with app.app_context():
        db.drop_all()
        db.create_all()
        seed_catalog()
    return app
