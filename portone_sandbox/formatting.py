"""How the sandbox's pages print money and time: as Kakao Pay and PortOne's console do, in won
and in Korea's time zone."""

from datetime import datetime, timedelta, timezone

from flask import Flask

KST = timezone(timedelta(hours=9), "KST")


def won(amount: int | None) -> str:
    """An amount in won: ``14,000원``."""
    return f"{amount or 0:,}원"


def kst(timestamp: int | None) -> str:
    """Unix seconds as Korean local time; ``-`` for 0, PortOne's "not happened"."""
    if not timestamp:
        return "-"
    return datetime.fromtimestamp(timestamp, KST).strftime("%Y-%m-%d %H:%M:%S")


def register(app: Flask) -> None:
    """Make ``won`` and ``kst`` template filters of every page."""
    app.add_template_filter(won)
    app.add_template_filter(kst)
