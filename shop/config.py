"""Configuration: defaults in code, then ``instance/config.py``, then the environment.

Every name below can be set in ``instance/config.py`` or as an environment variable of the
same name (a ``.env`` file is read by the ``flask`` command). Tests pass their own mapping to
``create_app`` instead: it replaces both, so a developer's live keys never reach a test.
"""

import logging
import os
import secrets
from pathlib import Path
from urllib.parse import urlsplit

SANDBOX_IMP_CODE = "imp00000000"
SANDBOX_API_KEY = "sandbox-key"
SANDBOX_API_SECRET = "sandbox-secret"
SANDBOX_MOUNT = "/portone-sandbox"

LIVE_API_BASE = "https://api.iamport.kr"
LIVE_SDK_URL = "https://cdn.iamport.kr/v1/iamport.js"
# Where PortOne's live SDK loads its frames and scripts from, for the Content-Security-Policy.
LIVE_CSP_SOURCES = "https://*.iamport.kr"

# Names read from the environment when set there.
ENV_NAMES = (
    "SECRET_KEY",
    "DATABASE_URL",
    "PUBLIC_BASE_URL",
    "PROXY_FIX_HOPS",
    "LOG_LEVEL",
    "PORTONE_MODE",
    "PORTONE_IMP_CODE",
    "PORTONE_API_KEY",
    "PORTONE_API_SECRET",
    "PORTONE_API_BASE",
    "PORTONE_SDK_URL",
    "PORTONE_CSP_SOURCES",
    "PORTONE_WEBHOOK_URL",
    "PORTONE_WEBHOOK_CONTENT_TYPE",
    "SANDBOX_DATABASE_URL",
    "RATELIMIT_STORAGE_URI",
    "LOGIN_FAILURES_PER_ACCOUNT",
    "LOGIN_FAILURES_PER_ADDRESS",
    "ORDER_LOOKUP_FAILURES_PER_ADDRESS",
)

# The PortOne settings whose values in sandbox mode can only be the sandbox's own.
SANDBOX_CREDENTIALS = {
    "PORTONE_IMP_CODE": SANDBOX_IMP_CODE,
    "PORTONE_API_KEY": SANDBOX_API_KEY,
    "PORTONE_API_SECRET": SANDBOX_API_SECRET,
}


class ConfigError(RuntimeError):
    """The configuration cannot run safely (e.g. live mode with sandbox credentials)."""


def defaults(instance_path: str) -> dict:
    """The settings a fresh clone runs with: SQLite in ``instance/`` and the embedded sandbox."""
    instance = Path(instance_path)
    return {
        # The shop's name as buyers know it: the sandbox's Kakao Pay window shows it.
        "SHOP_NAME": "소소상점 Soso Market",
        "SECRET_KEY": None,
        "DATABASE_URL": f"sqlite:///{instance / 'shop.sqlite3'}",
        # The shop's address as buyers and PortOne reach it (https://shop.example.com); every
        # URL given to PortOne starts with it. Unset (sandbox only): the request's own address.
        "PUBLIC_BASE_URL": None,
        # How many proxies in front of the shop set X-Forwarded-For/-Proto/-Host/-Port/-Prefix;
        # 0 trusts none of those headers.
        "PROXY_FIX_HOPS": 0,
        "LOG_LEVEL": "INFO",
        "PORTONE_MODE": "sandbox",
        "PORTONE_IMP_CODE": None,
        "PORTONE_API_KEY": None,
        "PORTONE_API_SECRET": None,
        # Unset in sandbox mode means "the sandbox mounted in this process".
        "PORTONE_API_BASE": None,
        "PORTONE_SDK_URL": None,
        # Origins, besides the SDK's own, that the payment page may load scripts and frames from.
        "PORTONE_CSP_SOURCES": None,
        # The sandbox's "console" notification URL, used when a request names no notice_url.
        "PORTONE_WEBHOOK_URL": None,
        "PORTONE_WEBHOOK_CONTENT_TYPE": "json",
        # (connect, read) seconds for every call to PortOne: short, because a buyer or a
        # webhook is waiting on each one.
        "PORTONE_TIMEOUT": (2.0, 5.0),
        # After PortOne could not be reached, fail at once for this many seconds.
        "PORTONE_BREAKER_SECONDS": 5.0,
        "SANDBOX_DATABASE_URL": f"sqlite:///{instance / 'portone-sandbox.sqlite3'}",
        # How long a placed order can be paid at the prices it was placed with.
        "ORDER_PAYABLE_MINUTES": 30,
        "WTF_CSRF_TIME_LIMIT": None,
        # Nothing the shop accepts is larger than a form; refuse bodies past 1 MiB early.
        "MAX_CONTENT_LENGTH": 1024 * 1024,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_HTTPONLY": True,
        # Flask-Limiter's counters: per process by default; "redis://host:6379/0" shares them.
        "RATELIMIT_STORAGE_URI": "memory://",
        # werkzeug's method for new passwords; its default scrypt costs about 0.1 s a hash, which
        # is the point (tests, hashing hundreds, ask for a cheaper scrypt).
        "PASSWORD_HASH_METHOD": "scrypt",
        # Failed log-ins allowed for one account from one address, and from one address in all.
        "LOGIN_FAILURES_PER_ACCOUNT": "5 per 15 minutes",
        "LOGIN_FAILURES_PER_ADDRESS": "30 per 15 minutes",
        # Order look-ups (order number and e-mail) that found nothing, allowed from one address.
        "ORDER_LOOKUP_FAILURES_PER_ADDRESS": "10 per 15 minutes",
        # Korean unless the buyer chooses English (shop/language); times as Korea reads them.
        "BABEL_DEFAULT_LOCALE": "ko",
        "BABEL_DEFAULT_TIMEZONE": "Asia/Seoul",
    }


def load_environment(config) -> None:
    """Copy the known names from the environment into ``config``."""
    for name in ENV_NAMES:
        if os.environ.get(name):
            config[name] = os.environ[name]


def finish(config, instance_path: str) -> None:
    """Fill in what depends on the mode, and refuse configurations that would be unsafe."""
    mode = config["PORTONE_MODE"]
    if mode not in ("sandbox", "live"):
        raise ConfigError(f"PORTONE_MODE must be 'sandbox' or 'live', not {mode!r}")
    if "SQLALCHEMY_DATABASE_URI" in config:
        raise ConfigError(
            "SQLALCHEMY_DATABASE_URI is not read by this shop: set DATABASE_URL instead "
            "(in instance/config.py or the environment)"
        )
    config["SQLALCHEMY_DATABASE_URI"] = config["DATABASE_URL"]
    config["PROXY_FIX_HOPS"] = _proxy_fix_hops(config["PROXY_FIX_HOPS"])
    config["LOG_LEVEL"] = _log_level(config["LOG_LEVEL"])
    config["PUBLIC_BASE_URL"] = _public_base_url(config["PUBLIC_BASE_URL"], mode)

    if mode == "live":
        _finish_live(config)
    else:
        _finish_sandbox(config, Path(instance_path))


def _finish_live(config) -> None:
    missing = [
        name
        for name in (
            "SECRET_KEY",
            "PUBLIC_BASE_URL",
            "PORTONE_IMP_CODE",
            "PORTONE_API_KEY",
            "PORTONE_API_SECRET",
        )
        if not config.get(name)
    ]
    if missing:
        raise ConfigError(f"live mode needs {', '.join(missing)} set")
    if any(config[name] == value for name, value in SANDBOX_CREDENTIALS.items()):
        raise ConfigError("live mode refuses the sandbox's merchant code and credentials")
    config["PORTONE_API_BASE"] = config["PORTONE_API_BASE"] or LIVE_API_BASE
    config["PORTONE_SDK_URL"] = config["PORTONE_SDK_URL"] or LIVE_SDK_URL
    config["PORTONE_CSP_SOURCES"] = config["PORTONE_CSP_SOURCES"] or LIVE_CSP_SOURCES
    config["PORTONE_EMBEDDED"] = False
    # Live mode is served over HTTPS only (PUBLIC_BASE_URL is https, and shop.headers sends
    # HSTS): the session cookie must never travel in the clear.
    config["SESSION_COOKIE_SECURE"] = True
    config["PREFERRED_URL_SCHEME"] = "https"


def _finish_sandbox(config, instance: Path) -> None:
    # Real credentials with the mode left at its default would take fake payments as real:
    # the mounted sandbox accepts whatever credentials the shop has.
    foreign = [
        name
        for name, value in SANDBOX_CREDENTIALS.items()
        if config.get(name) and config[name] != value
    ]
    if foreign:
        raise ConfigError(
            f"{', '.join(foreign)} {'is' if len(foreign) == 1 else 'are'} not the sandbox's, "
            "but PORTONE_MODE is 'sandbox' (the default): set PORTONE_MODE=live to take real "
            "payments, or unset them to use the sandbox"
        )
    for name, value in SANDBOX_CREDENTIALS.items():
        config[name] = value
    # No API base given: mount the sandbox here and reach it in-process.
    config["PORTONE_EMBEDDED"] = not config["PORTONE_API_BASE"]
    if config["PORTONE_EMBEDDED"]:
        config["PORTONE_SDK_URL"] = config["PORTONE_SDK_URL"] or f"{SANDBOX_MOUNT}/v1/iamport.js"
    else:
        base = config["PORTONE_API_BASE"].rstrip("/")
        config["PORTONE_SDK_URL"] = config["PORTONE_SDK_URL"] or f"{base}/v1/iamport.js"
    if not config.get("SECRET_KEY"):
        config["SECRET_KEY"] = _local_secret_key(instance)


def _public_base_url(value: str | None, mode: str) -> str | None:
    """``scheme://host[:port]`` with no trailing slash; HTTPS in live mode."""
    if not value:
        return None
    url = urlsplit(value)
    if url.scheme not in ("http", "https") or not url.netloc or url.path not in ("", "/"):
        raise ConfigError(
            f"PUBLIC_BASE_URL must be the shop's scheme and host, like "
            f"https://shop.example.com, not {value!r}"
        )
    if url.query or url.fragment:
        raise ConfigError(f"PUBLIC_BASE_URL must have no query or fragment: {value!r}")
    if mode == "live" and url.scheme != "https":
        raise ConfigError(f"live mode needs an https:// PUBLIC_BASE_URL, not {value!r}")
    return f"{url.scheme}://{url.netloc}"


def _proxy_fix_hops(value) -> int:
    try:
        hops = int(value)
    except (TypeError, ValueError):
        hops = -1
    if hops < 0:
        raise ConfigError(f"PROXY_FIX_HOPS must be a whole number of proxies, not {value!r}")
    return hops


def _log_level(value) -> str:
    name = str(value).upper()
    if not isinstance(logging.getLevelName(name), int):
        raise ConfigError(f"LOG_LEVEL must be DEBUG, INFO, WARNING or ERROR, not {value!r}")
    return name


def _local_secret_key(instance: Path) -> str:
    """A random key kept in ``instance/`` so a sandbox run needs no set-up and no secret in git."""
    path = instance / "secret_key"
    if path.exists():
        return path.read_text().strip()
    instance.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    path.write_text(key)
    return key
