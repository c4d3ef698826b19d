"""Jinja filters and globals shared by the shop's templates."""

from datetime import UTC, datetime, timedelta, timezone

from flask import Flask, current_app, request

from shop.config import SANDBOX_MOUNT


def won(amount: int) -> str:
    """Format an integer KRW amount the way Korean shops print prices: ``14000`` → ``14,000원``."""
    # Money is integer KRW everywhere; a float here would be a bug upstream, so fail loudly.
    if isinstance(amount, bool) or not isinstance(amount, int):
        raise TypeError(f"won expects an integer amount of KRW, not {amount!r}")
    return f"{amount:,}원"


# Asia/Seoul, the time buyers and PortOne's receipts read; the database keeps UTC. Korea has
# kept UTC+9 all year since 1988, so a fixed offset is exact and needs no time zone database.
KST = timezone(timedelta(hours=9), "KST")


def kst(moment: datetime | None, fmt: str = "%Y-%m-%d %H:%M", time: bool = True) -> str:
    """A stored (naive UTC) time as Korea reads it: 05:03 UTC → ``2026-11-27 14:03 KST``, or
    the date alone (``2026-11-27``) without ``time``."""
    if moment is None:
        return ""
    local = moment.replace(tzinfo=UTC).astimezone(KST)
    return f"{local.strftime(fmt)} KST" if time else local.strftime("%Y-%m-%d")


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
