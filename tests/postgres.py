"""The PostgreSQL server of the tests marked ``postgres``, and what happens when it is missing.

A laptop without PostgreSQL skips those tests, with a message saying how to run them; CI sets
``REQUIRE_POSTGRES=1`` (``.ci/run`` does), and there a missing server fails them instead.

Under pytest-xdist each worker empties a database of its own, ``<TEST_POSTGRES_URL's>_gw0`` and
so on, made on that server when missing: workers dropping each other's tables would fail at random.
"""

import functools
import os

import pytest
from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Engine, make_url

# The database named by the environment; a worker's own is made from it.
BASE_POSTGRES_URL = os.environ.get(
    "TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


def worker_url(url: str, worker: str | None) -> str:
    """The database of pytest-xdist's ``worker`` (``gw0``…) on the server of ``url``."""
    if not worker:
        return url
    parsed = make_url(url)
    return parsed.set(database=f"{parsed.database}_{worker}").render_as_string(hide_password=False)


# The tests create and drop their tables in this database.
POSTGRES_URL = worker_url(BASE_POSTGRES_URL, os.environ.get("PYTEST_XDIST_WORKER"))


def require_postgres(url: str = POSTGRES_URL) -> None:
    """Skip the calling test when no PostgreSQL answers at ``url``; fail it if CI requires one."""
    problem = _unreachable(url)
    if problem is None:
        return
    shown = make_url(url).render_as_string(hide_password=True)
    message = (
        f"no PostgreSQL answered at {shown} ({problem}). To run the tests marked postgres, "
        "start PostgreSQL and set TEST_POSTGRES_URL to a database they may drop tables in, "
        "e.g. TEST_POSTGRES_URL=postgresql+psycopg://postgres@127.0.0.1:5432/test "
        ".venv/bin/python -m pytest -m postgres"
    )
    if os.environ.get("REQUIRE_POSTGRES", "") not in ("", "0"):
        pytest.fail(f"REQUIRE_POSTGRES is set and {message}", pytrace=False)
    pytest.skip(message)


def empty_postgres(url: str = POSTGRES_URL) -> None:
    """Drop every table in the test database, whoever made it, so each test starts from none.

    ``drop_all`` drops only the tables of its own models, and cannot drop one that a table of
    other models (the sandbox's, an older branch's) still refers to.
    """
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def without_commit_waits() -> None:
    """Every PostgreSQL connection opened from now on in this process commits without waiting
    for the server's disk (``synchronous_commit`` off: a commit is as visible and as atomic, and
    only a crash of the server could lose it). A commit's flush was 7 to 10 ms on CI's disk."""
    if not event.contains(Engine, "connect", _synchronous_commit_off):
        event.listen(Engine, "connect", _synchronous_commit_off)


def _synchronous_commit_off(dbapi_connection, _record) -> None:
    if type(dbapi_connection).__module__.startswith("psycopg"):
        with dbapi_connection.cursor() as cursor:
            cursor.execute("SET synchronous_commit TO off")
        dbapi_connection.commit()


@functools.cache
def _unreachable(url: str) -> str | None:
    """Why no connection to ``url`` can be made (asked once per URL), or None when one can."""
    try:
        if url == POSTGRES_URL != BASE_POSTGRES_URL:
            _create_database(BASE_POSTGRES_URL, make_url(url).database)
        engine = create_engine(url, connect_args={"connect_timeout": 5})
        with engine.connect():
            pass
        engine.dispose()
    except Exception as error:  # the driver missing, no server, refused, unknown database…
        cause = getattr(error, "orig", None) or error
        text = str(cause).strip()
        return text.splitlines()[0] if text else type(cause).__name__
    return None


def _create_database(server_url: str, name: str) -> None:
    """Create the database ``name`` beside the one at ``server_url``, unless it exists."""
    engine = create_engine(
        server_url, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 5}
    )
    try:
        with engine.connect() as connection:
            exists = connection.scalar(
                text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}
            )
            if not exists:
                quoted = connection.dialect.identifier_preparer.quote(name)
                connection.execute(text(f"CREATE DATABASE {quoted}"))
    finally:
        engine.dispose()
