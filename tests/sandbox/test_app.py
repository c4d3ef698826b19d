"""Building the sandbox app: where it keeps its state, and the limits it starts with."""

from pathlib import Path

import pytest

import portone_sandbox
from portone_sandbox.models import db


def database_file(app) -> Path:
    with app.app_context():
        return Path(db.engine.url.database)


@pytest.fixture
def elsewhere(tmp_path, monkeypatch) -> Path:
    """A current directory of the test's own, and no database named in the environment."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("SANDBOX_DATABASE_URL", raising=False)
    return tmp_path


def test_the_default_database_is_in_instance_under_the_current_directory(elsewhere):
    app = portone_sandbox.create_app()
    assert database_file(app) == elsewhere / "instance" / "portone-sandbox.sqlite3"
    assert database_file(app).exists()
    package = Path(portone_sandbox.__file__).parent
    assert package not in database_file(app).parents


def test_sandbox_database_url_names_another_database(elsewhere, monkeypatch):
    monkeypatch.setenv("SANDBOX_DATABASE_URL", f"sqlite:///{elsewhere / 'state' / 'mine.sqlite3'}")
    app = portone_sandbox.create_app()
    assert database_file(app) == elsewhere / "state" / "mine.sqlite3"
    assert database_file(app).exists()


def test_bodies_are_limited_by_default(elsewhere):
    assert portone_sandbox.create_app().config["MAX_CONTENT_LENGTH"] == 1024 * 1024
