"""gunicorn.conf.py: workers from the cores unless WEB_CONCURRENCY says, timeouts longer than
a request to PortOne may take, and an access log."""

import os
import runpy

import pytest

from tests.servers import ROOT


def settings(monkeypatch, web_concurrency: str | None) -> dict:
    if web_concurrency is None:
        monkeypatch.delenv("WEB_CONCURRENCY", raising=False)
    else:
        monkeypatch.setenv("WEB_CONCURRENCY", web_concurrency)
    return runpy.run_path(str(ROOT / "gunicorn.conf.py"))


def test_workers_are_two_per_core_plus_one(monkeypatch):
    cores = len(os.sched_getaffinity(0))
    assert settings(monkeypatch, None)["workers"] == 2 * cores + 1


@pytest.mark.parametrize("count", ["1", "4"])
def test_web_concurrency_sets_the_workers(monkeypatch, count):
    assert settings(monkeypatch, count)["workers"] == int(count)


def test_timeouts_and_access_log(monkeypatch):
    conf = settings(monkeypatch, None)
    # Longer than a refund's three calls to PortOne at (2 + 5) s each.
    assert conf["timeout"] > 3 * 7
    assert conf["graceful_timeout"] <= conf["timeout"]
    assert conf["accesslog"] == "-"
