"""Set-up commands: ``flask --app shop init-db`` and ``flask --app shop seed``; and the one
operations command, ``flask --app shop reconcile`` (``shop.reconcile``).

Both bring the database to the latest migration first (``flask --app shop db upgrade``), so a
fork that added a column in ``migrations/`` gets it on its next ``make run``.
"""

import click
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask import Flask, current_app
from flask.cli import with_appcontext
from flask_migrate import stamp, upgrade
from sqlalchemy import inspect
from sqlalchemy.engine import make_url

from shop.catalog.seed import seed_catalog
from shop.extensions import db
from shop.reconcile import reconcile_command
from shop.subscriptions.plans import seed_plans

# The revision whose tables a database made by ``db.create_all()`` before migrations already has.
FIRST_REVISION = "0001"


def upgrade_database() -> None:
    """Apply every migration not yet applied."""
    tables = set(inspect(db.engine).get_table_names())
    if "products" in tables and "alembic_version" not in tables:
        # Made by create_all: before the shop had migrations it made the first revision's
        # tables; a create_all of today's models (as tests do) already has the latest.
        stamp(revision="head" if _has_the_models_schema() else FIRST_REVISION)
    upgrade()


def _has_the_models_schema() -> bool:
    with db.engine.connect() as connection:
        return not compare_metadata(MigrationContext.configure(connection), db.metadata)


@click.command("init-db")
@with_appcontext
def init_db_command() -> None:
    """Bring the shop's tables to the latest migration (rows are left alone)."""
    upgrade_database()
    click.echo(f"Tables ready in {_database_name()}.")


@click.command("seed")
@with_appcontext
def seed_command() -> None:
    """Migrate the database, then load the demo catalog if the shop has no products yet, and
    the demo subscription plans if it has no plans."""
    upgrade_database()
    inserted = seed_catalog()
    if inserted:
        click.echo(f"Seeded {inserted} products into {_database_name()}.")
    else:
        click.echo("The catalog already has products; nothing seeded.")
    plans = seed_plans()
    if plans:
        click.echo(f"Seeded {plans} subscription plans.")


def _database_name() -> str:
    # Never echo a password from DATABASE_URL into a terminal or CI log.
    url = make_url(current_app.config["SQLALCHEMY_DATABASE_URI"])
    return url.render_as_string(hide_password=True)


def register(app: Flask) -> None:
    """Add the commands to ``flask --app shop``."""
    app.cli.add_command(init_db_command)
    app.cli.add_command(seed_command)
    app.cli.add_command(reconcile_command)
