"""The migrations in ``migrations/`` build exactly the schema the models describe."""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text
from sqlalchemy.exc import IntegrityError

from shop.catalog.seed import seed_catalog
from shop.commands import FIRST_REVISION, upgrade_database
from shop.extensions import db
from tests.postgres import POSTGRES_URL
from tests.shop.apps import make_app


def _empty(app) -> None:
    with app.app_context():
        db.drop_all()
        with db.engine.begin() as connection:
            connection.execute(text("DROP TABLE IF EXISTS alembic_version"))


@pytest.mark.parametrize(
    "database", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def test_migrations_build_the_models_schema(tmp_path, database):
    config = {"DATABASE_URL": POSTGRES_URL} if database == "postgres" else {}
    app = make_app(tmp_path, seed=False, **config)
    _empty(app)
    with app.app_context():
        # The test database may hold other tests' tables (the sandbox's): leave those out.
        others = set(inspect(db.engine).get_table_names())
        upgrade()
        with db.engine.connect() as connection:
            context = MigrationContext.configure(
                connection,
                opts={"include_name": lambda name, kind, _parent: name not in others},
            )
            diff = compare_metadata(context, db.metadata)
        assert diff == []
        # And back down to nothing, so every migration can be undone.
        downgrade(revision="base")
        assert set(inspect(db.engine).get_table_names()) - others <= {"alembic_version"}
    _empty(app)


def test_a_database_from_create_all_is_adopted_not_rebuilt(tmp_path):
    app = make_app(tmp_path, seed=False)
    _empty(app)
    with app.app_context():
        # What create_all made before the shop had migrations: the first revision's tables,
        # with products in them, and no alembic_version.
        upgrade(revision=FIRST_REVISION)
        with db.engine.begin() as connection:
            connection.execute(text("DROP TABLE alembic_version"))
        seed_catalog()

        upgrade_database()
        assert db.session.scalar(text("SELECT count(*) FROM products")) > 0
        with db.engine.connect() as connection:
            diff = compare_metadata(MigrationContext.configure(connection), db.metadata)
        assert diff == []


@pytest.mark.parametrize(
    "database", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def test_the_migrated_database_refuses_negative_stock(tmp_path, database):
    config = {"DATABASE_URL": POSTGRES_URL} if database == "postgres" else {}
    app = make_app(tmp_path, seed=False, **config)
    _empty(app)
    with app.app_context():
        upgrade()
        seed_catalog()
        with pytest.raises(IntegrityError), db.engine.begin() as connection:
            connection.execute(text("UPDATE products SET stock = -1"))
    _empty(app)


@pytest.mark.parametrize(
    "database", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def test_payment_events_keep_their_door_as_source(tmp_path, database):
    config = {"DATABASE_URL": POSTGRES_URL} if database == "postgres" else {}
    app = make_app(tmp_path, seed=False, **config)
    _empty(app)
    with app.app_context():
        upgrade(revision="0002")
        with db.engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO payment_events (imp_uid, door, outcome, created_at)"
                    " VALUES ('imp_123456789012', 'webhook', 'paid', CURRENT_TIMESTAMP)"
                )
            )
        upgrade(revision="0004")
        assert db.session.scalar(text("SELECT source FROM payment_events")) == "webhook"
        db.session.rollback()
    _empty(app)
