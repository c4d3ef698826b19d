"""The test suite's own rules: helpers in modules, PostgreSQL and Redis tests skipped or
required, a ``browser`` marker that leaves a fast layer without Chromium, and what makes the
suite fast (parallel workers, SQLite without fsync)."""

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import create_engine

import portone_sandbox as sandbox_pkg
from tests.postgres import POSTGRES_URL, require_postgres, worker_url
from tests.redis import require_redis

TESTS = Path(__file__).parent
ROOT = TESTS.parent
# Port 9 (discard) on loopback: nothing listens there, so the connection is refused at once.
NO_SERVER = "postgresql+psycopg://postgres@127.0.0.1:9/test"


def test_nothing_is_imported_from_a_conftest():
    importers = []
    for path in [*TESTS.rglob("*.py"), *(ROOT / "bench").rglob("*.py")]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and "conftest" in (node.module or ""):
                importers.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert importers == []


def test_postgres_tests_are_skipped_with_how_to_run_them(monkeypatch):
    monkeypatch.delenv("REQUIRE_POSTGRES", raising=False)
    with pytest.raises(pytest.skip.Exception) as skipped:
        require_postgres(NO_SERVER)
    assert "no PostgreSQL answered at postgresql+psycopg://postgres@127.0.0.1:9/test" in str(
        skipped.value
    )
    assert "set TEST_POSTGRES_URL" in str(skipped.value)


def test_postgres_tests_fail_when_ci_requires_them(monkeypatch):
    monkeypatch.setenv("REQUIRE_POSTGRES", "1")
    with pytest.raises(pytest.fail.Exception, match="REQUIRE_POSTGRES is set"):
        require_postgres(NO_SERVER)


def test_the_password_of_the_postgres_url_is_not_shown(monkeypatch):
    monkeypatch.delenv("REQUIRE_POSTGRES", raising=False)
    with pytest.raises(pytest.skip.Exception) as skipped:
        require_postgres("postgresql+psycopg://shop:hunter2@127.0.0.1:9/test")
    assert "hunter2" not in str(skipped.value)


def test_redis_tests_are_skipped_with_how_to_run_them(monkeypatch):
    monkeypatch.delenv("REQUIRE_REDIS", raising=False)
    with pytest.raises(pytest.skip.Exception) as skipped:
        require_redis("redis://127.0.0.1:9/0")
    assert "no Redis answered at redis://127.0.0.1:9/0" in str(skipped.value)
    assert "set TEST_REDIS_URL" in str(skipped.value)


def test_redis_tests_fail_when_ci_requires_them(monkeypatch):
    monkeypatch.setenv("REQUIRE_REDIS", "1")
    with pytest.raises(pytest.fail.Exception, match="REQUIRE_REDIS is set"):
        require_redis("redis://127.0.0.1:9/0")


def collected(*args: str) -> set[str]:
    """The files of the tests that ``pytest --collect-only`` selects with ``args``."""
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTEST_ADDOPTS": ""},
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return {line.split("::")[0] for line in result.stdout.splitlines() if "::" in line}


def test_not_browser_leaves_out_every_test_that_starts_chromium():
    chromium = ["tests/e2e", "tests/sandbox/test_sdk.py"]
    plain_http = "tests/sandbox/test_sdk_window.py"
    assert collected("-m", "not browser", *chromium, plain_http) == {plain_http}


def test_a_parallel_run_that_selects_no_test_fails():
    """``make test`` runs pytest-xdist's workers; with nothing to run, the run must still fail
    (pytest's exit status 5), as ``.ci/run`` counts on."""
    result = subprocess.run(
        [
            sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-n", "1",
            "--dist", "loadscope", "tests/test_suite.py", "-k", "no_test_is_named_this",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTEST_ADDOPTS": ""},
    )  # fmt: skip
    assert result.returncode == pytest.ExitCode.NO_TESTS_COLLECTED, result.stdout + result.stderr


def test_each_xdist_worker_has_a_postgres_database_of_its_own():
    url = "postgresql+psycopg://shop:hunter2@127.0.0.1:5432/test"
    assert worker_url(url, None) == url
    assert worker_url(url, "gw1") == "postgresql+psycopg://shop:hunter2@127.0.0.1:5432/test_gw1"


def test_the_tests_sqlite_files_skip_fsync_and_keep_their_journal(tmp_path):
    app = sandbox_pkg.create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'x.db'}"})
    with app.app_context():
        pragma = sandbox_pkg.models.db.session.connection().exec_driver_sql
        assert pragma("PRAGMA synchronous").scalar() == 0
        assert pragma("PRAGMA journal_mode").scalar() == "wal"


@pytest.mark.postgres
def test_the_tests_postgres_connections_commit_without_waiting_for_the_disk():
    engine = create_engine(POSTGRES_URL)
    with engine.connect() as connection:
        assert connection.exec_driver_sql("SHOW synchronous_commit").scalar() == "off"
    engine.dispose()
