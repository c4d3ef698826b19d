"""The only code in the shop that speaks to PortOne."""

from flask import current_app

from shop.portone.client import (
    InvalidIdentifier,
    PortOneClient,
    PortOneError,
    PortOneNotFound,
    PortOneUnavailable,
)
from shop.portone.embedded import EMBEDDED_BASE, embedded_session
from shop.portone.ids import is_imp_uid, is_merchant_uid


def build_client(config, sandbox_app=None, mount: str = "/portone-sandbox") -> PortOneClient:
    """The client for the configured mode; in-process when the sandbox is mounted here."""
    options = {
        "api_key": config["PORTONE_API_KEY"],
        "api_secret": config["PORTONE_API_SECRET"],
        "timeout": tuple(config["PORTONE_TIMEOUT"]),
        "breaker_cooldown": config["PORTONE_BREAKER_SECONDS"],
        "retries": config["PORTONE_READ_RETRIES"],
        "backoff": config["PORTONE_RETRY_BACKOFF"],
    }
    if sandbox_app is not None:
        return PortOneClient(
            EMBEDDED_BASE + mount, session=embedded_session(sandbox_app, mount), **options
        )
    return PortOneClient(config["PORTONE_API_BASE"], **options)


def portone() -> PortOneClient:
    """The current app's client."""
    return current_app.extensions["portone"]


__all__ = [
    "InvalidIdentifier",
    "PortOneClient",
    "PortOneError",
    "PortOneNotFound",
    "PortOneUnavailable",
    "build_client",
    "is_imp_uid",
    "is_merchant_uid",
    "portone",
]
