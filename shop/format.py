"""Jinja filters and globals shared by the shop's templates."""

from datetime import datetime

from flask import Flask, current_app, request
from flask_babel import format_datetime

from shop.config import SANDBOX_MOUNT


def won(amount: int) -> str:
    """Format an integer KRW amount the way Korean shops print prices: ``14000`` → ``14,000원``."""
    # Money is integer KRW everywhere; a float here would be a bug upstream, so fail loudly.
    if isinstance(amount, bool) or not isinstance(amount, int):
        raise TypeError(f"won expects an integer amount of KRW, not {amount!r}")
    return f"{amount:,}원"


def kst(moment: datetime | None, seconds: bool = False, time: bool = True) -> str:
    """A stored time (naive UTC) as Korea reads it, in either language:
    ``2026-11-27 05:03`` UTC → ``2026-11-27 14:03 KST``; the date alone (``2026-11-27``)
    without ``time``. ``BABEL_DEFAULT_TIMEZONE`` is Asia/Seoul; the zone is named, since
    buyers abroad read it too."""
    if moment is None:
        return ""
    if not time:
        return format_datetime(moment, "yyyy-MM-dd")
    pattern = "yyyy-MM-dd HH:mm:ss 'KST'" if seconds else "yyyy-MM-dd HH:mm 'KST'"
    return format_datetime(moment, pattern)


def sandbox_dashboard_url() -> str | None:
    """Where the sandbox's dashboard lives, or ``None`` outside sandbox mode."""
    config = current_app.config
    if config["PORTONE_MODE"] != "sandbox":
        return None
    if config["PORTONE_EMBEDDED"]:
        return f"{request.script_root}{SANDBOX_MOUNT}/"
    return config["PORTONE_API_BASE"].rstrip("/") + "/"


def register_filters(app: Flask) -> None:
    """Make the filters and globals above available to every template."""
    app.add_template_filter(won)
    app.add_template_filter(kst)
    app.add_template_global(sandbox_dashboard_url)
