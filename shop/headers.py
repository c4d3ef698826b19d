"""Security headers on every response of the shop (the mounted sandbox keeps its own).

The Content-Security-Policy lets pages run scripts and open frames from the shop and from
PortOne only: the SDK's origin (in sandbox mode the sandbox's, unless it is mounted here) and
``PORTONE_CSP_SOURCES``. No inline script, style or handler is allowed, so the templates keep
theirs in ``static/``. No site may frame the shop's pages. The checkout alone may also load
Kakao's (Daum's) postcode search script; its search opens in a window of its own, which this
page's policy does not govern.
"""

from urllib.parse import urlsplit

from flask import Flask, Response, request

# Order pages carry their secret token in the URL: never send it to another site. Not
# "no-referrer": Flask-WTF refuses an HTTPS form post whose Referer is missing.
REFERRER_POLICY = "same-origin"
HSTS = "max-age=31536000"
# The pages that offer the postcode search (``POSTCODE_SCRIPT_URL``).
POSTCODE_PAGES = {"checkout.start"}


def portone_sources(config) -> list[str]:
    """The origins PortOne's SDK is loaded from and opens its window on, besides the shop."""
    sources = []
    sdk = urlsplit(config["PORTONE_SDK_URL"])
    if sdk.scheme and sdk.netloc:
        sources.append(f"{sdk.scheme}://{sdk.netloc}")
    sources.extend((config["PORTONE_CSP_SOURCES"] or "").split())
    return sources


def postcode_source(config) -> str | None:
    """The origin the postcode search script is loaded from, if the shop uses it."""
    script = urlsplit(config["POSTCODE_SCRIPT_URL"] or "")
    return f"{script.scheme}://{script.netloc}" if script.scheme and script.netloc else None


def content_security_policy(config, extra_scripts: tuple[str, ...] = ()) -> str:
    allowed = " ".join(["'self'", *portone_sources(config)])
    return "; ".join(
        [
            "default-src 'self'",
            f"script-src {' '.join([allowed, *extra_scripts])}",
            f"style-src {allowed}",
            f"img-src {allowed}",
            f"connect-src {allowed}",
            # The Kakao Pay window is a frame from the SDK's origin, and on a phone the SDK
            # posts the request as a form to it.
            f"frame-src {allowed}",
            f"form-action {allowed}",
            "frame-ancestors 'none'",
            "base-uri 'none'",
            "object-src 'none'",
        ]
    )


def security_headers(config, extra_scripts: tuple[str, ...] = ()) -> dict[str, str]:
    headers = {
        "Content-Security-Policy": content_security_policy(config, extra_scripts),
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": REFERRER_POLICY,
    }
    if config["PORTONE_MODE"] == "live":
        headers["Strict-Transport-Security"] = HSTS
    return headers


def register(app: Flask) -> None:
    """Add the headers to every response of ``app``."""
    headers = security_headers(app.config)
    postcode = postcode_source(app.config)
    postcode_headers = security_headers(app.config, (postcode,)) if postcode else headers

    @app.after_request
    def add_security_headers(response: Response) -> Response:
        chosen = postcode_headers if request.endpoint in POSTCODE_PAGES else headers
        for name, value in chosen.items():
            response.headers.setdefault(name, value)
        return response
