"""Set-up commands: ``flask --app shop init-db`` and ``flask --app shop seed``."""

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from sqlalchemy.engine import make_url

from shop import models  # noqa: F401  (create_all needs the tables registered)
from shop.catalog.seed import seed_catalog
from shop.extensions import db


@click.command("init-db")
@with_appcontext
def init_db_command() -> None:
    """Create the shop's tables (existing tables and rows are left alone)."""
    db.create_all()
    click.echo(f"Tables ready in {_database_name()}.")


@click.command("seed")
@with_appcontext
def seed_command() -> None:
    """Create the tables, then load the demo catalog if the shop has no products yet."""
    db.create_all()
    inserted = seed_catalog()
    if inserted:
        click.echo(f"Seeded {inserted} products into {_database_name()}.")
    else:
        click.echo("The catalog already has products; nothing seeded.")


def _database_name() -> str:
    # Never echo a password from DATABASE_URL into a terminal or CI log.
    url = make_url(current_app.config["SQLALCHEMY_DATABASE_URI"])
    return url.render_as_string(hide_password=True)


def register(app: Flask) -> None:
    """Add the commands to ``flask --app shop``."""
    app.cli.add_command(init_db_command)
    app.cli.add_command(seed_command)
