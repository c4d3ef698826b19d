"""The only code in the shop that speaks to PortOne."""

from shop.portone.client import PortOneClient, PortOneError, PortOneUnavailable


def build_client(config, sandbox_app=None) -> PortOneClient:
    return PortOneClient(
        api_base=config["PORTONE_API_BASE"] or "http://127.0.0.1",
        api_key=config["PORTONE_API_KEY"],
        api_secret=config["PORTONE_API_SECRET"],
    )


__all__ = ["PortOneClient", "PortOneError", "PortOneUnavailable", "build_client"]
