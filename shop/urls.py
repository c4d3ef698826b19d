"""The shop's own addresses: those handed to PortOne, which calls or sends the buyer back to
them, and the paths a form may send the buyer back to."""

from urllib.parse import urlsplit

from flask import current_app, url_for


def public_url(endpoint: str, **values) -> str:
    """An absolute URL of ``endpoint`` on ``PUBLIC_BASE_URL``.

    Never built from the request's Host header, which any client can set. Without the setting
    (sandbox mode only; live mode requires it) the request's own address is used.
    """
    base = current_app.config["PUBLIC_BASE_URL"]
    if base is None:
        return url_for(endpoint, _external=True, **values)
    return base + url_for(endpoint, **values)


def notice_url() -> str:
    """The webhook PortOne notifies about every payment the shop starts or charges."""
    return public_url("checkout.webhook")


def local_path(target: str | None) -> str | None:
    """``target`` if it is a path on this site (for ``?next=``), else None: never another host."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    parts = urlsplit(target)
    return target if not parts.scheme and not parts.netloc else None
