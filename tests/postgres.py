"""The PostgreSQL server of the tests marked ``postgres``, and what happens when it is missing.

A laptop without PostgreSQL skips those tests, with a message saying how to run them; CI sets
``REQUIRE_POSTGRES=1`` (``.ci/run`` does), and there a missing server fails them instead.
"""

import functools
import os

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

# The tests create and drop their tables in this database.
POSTGRES_URL = os.environ.get(
    "TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


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


@functools.cache
def _unreachable(url: str) -> str | None:
    """Why no connection to ``url`` can be made (asked once per URL), or None when one can."""
    try:
        engine = create_engine(url, connect_args={"connect_timeout": 5})
        with engine.connect():
            pass
        engine.dispose()
    except Exception as error:  # the driver missing, no server, refused, unknown database…
        cause = getattr(error, "orig", None) or error
        text = str(cause).strip()
        return text.splitlines()[0] if text else type(cause).__name__
    return None
