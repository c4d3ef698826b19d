"""The migrations in ``migrations/`` build exactly the schema the models describe."""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text

from shop.commands import upgrade_database
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
        upgrade()
        with db.engine.connect() as connection:
            diff = compare_metadata(MigrationContext.configure(connection), db.metadata)
        assert diff == []
        # And back down to nothing, so every migration can be undone.
        downgrade(revision="base")
        assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
    _empty(app)


def test_a_database_from_create_all_is_adopted_not_rebuilt(tmp_path):
    app = make_app(tmp_path)  # tables from create_all, products seeded, no alembic_version
    with app.app_context():
        upgrade_database()
        tables = set(inspect(db.engine).get_table_names())
        assert "alembic_version" in tables
        assert db.session.scalar(text("SELECT count(*) FROM products")) > 0
