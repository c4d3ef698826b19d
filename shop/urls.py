"""The shop's own addresses as handed to PortOne, which calls or sends the buyer back to them."""

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
