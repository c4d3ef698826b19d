"""The Redis server of the tests marked ``redis``, and what happens when it is missing.

As with PostgreSQL (``tests/postgres.py``): a laptop without Redis skips those tests with a
message saying how to run them; CI sets ``REQUIRE_REDIS=1`` (``.ci/run`` does), and there a
missing server fails them instead. Each test keeps its keys under a prefix of its own, so it
never empties a database someone else uses.
"""

import functools
import os
import secrets

import pytest

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def require_redis(url: str = REDIS_URL) -> None:
    """Skip the calling test when no Redis answers at ``url``; fail it if CI requires one."""
    problem = _unreachable(url)
    if problem is None:
        return
    message = (
        f"no Redis answered at {url} ({problem}). To run the tests marked redis, start "
        "redis-server and set TEST_REDIS_URL if it is not redis://127.0.0.1:6379/0, e.g. "
        "TEST_REDIS_URL=redis://127.0.0.1:6379/1 .venv/bin/python -m pytest -m redis"
    )
    if os.environ.get("REQUIRE_REDIS", "") not in ("", "0"):
        pytest.fail(f"REQUIRE_REDIS is set and {message}", pytrace=False)
    pytest.skip(message)


def key_prefix() -> str:
    """A prefix for one test's keys (Flask-Limiter's ``RATELIMIT_KEY_PREFIX``)."""
    return f"test-{secrets.token_hex(6)}"


def keys(prefix: str, url: str = REDIS_URL) -> list[bytes]:
    """The keys under ``prefix``."""
    import redis

    with redis.Redis.from_url(url) as client:
        return list(client.scan_iter(match=f"*{prefix}*"))


def forget(prefix: str, url: str = REDIS_URL) -> None:
    """Delete the keys under ``prefix``."""
    import redis

    found = keys(prefix, url)
    if found:
        with redis.Redis.from_url(url) as client:
            client.delete(*found)


@functools.cache
def _unreachable(url: str) -> str | None:
    """Why Redis at ``url`` cannot be used (asked once per URL), or None when it can."""
    try:
        import redis
    except ImportError:
        return "the redis package is not installed: pip install 'limits[redis]'"
    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=5)
        client.ping()
        client.close()
    except Exception as error:
        return str(error).splitlines()[0] or type(error).__name__
    return None
