"""SQLite without fsync for the tests' own processes.

The tests build hundreds of SQLite files (each shop's embedded sandbox, live servers' shops) and
commit to them thousands of times; with SQLite's default durability each commit waits for the
disk, which on a busy CI disk took longer than the tests' work. Durability across a power cut is
no concern of a test's throwaway file: locking, WAL and transactions are untouched, so every
concurrency test still races what production races.
"""

import sqlite3

from sqlalchemy import event
from sqlalchemy.engine import Engine


def without_fsync() -> None:
    """Every SQLite connection opened from now on in this process skips fsync."""
    if not event.contains(Engine, "connect", _synchronous_off):
        event.listen(Engine, "connect", _synchronous_off)


def _synchronous_off(dbapi_connection, _record) -> None:
    if isinstance(dbapi_connection, sqlite3.Connection):
        dbapi_connection.execute("PRAGMA synchronous=OFF")
