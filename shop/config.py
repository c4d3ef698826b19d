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

# The seller's details Korean law asks a shop to show (전자상거래법 §10): the footer and the
# business-information page show them. Sample values: a real shop sets its own.
BUSINESS_INFO = {
    "BUSINESS_NAME": "소소상점 (샘플)",
    "BUSINESS_REPRESENTATIVE": "홍길동 (샘플)",
    "BUSINESS_REGISTRATION_NUMBER": "000-00-00000",
    "MAIL_ORDER_REGISTRATION": "제2026-서울강남-00000호",
    "BUSINESS_ADDRESS": "서울특별시 강남구 테헤란로 000, 0층 (샘플)",
    "BUSINESS_PHONE": "02-000-0000",
    "BUSINESS_EMAIL": "help@example.com",
}

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
    "REDIS_URL",
    "RATELIMIT_STORAGE_URI",
    "RATELIMIT_KEY_PREFIX",
    "ORDERS_PER_ADDRESS",
    "WEBHOOKS_PER_ADDRESS",
    "LOGIN_FAILURES_PER_ACCOUNT",
    "LOGIN_FAILURES_PER_ADDRESS",
    "ORDER_LOOKUP_FAILURES_PER_ADDRESS",
    "SHIPPING_FEE",
    "FREE_SHIPPING_FROM",
    "POSTCODE_SCRIPT_URL",
    *BUSINESS_INFO,
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
        # A read PortOne answered with a 5xx or a malformed body is asked again this many
        # times, after PORTONE_RETRY_BACKOFF seconds, then twice that; writes never are.
        "PORTONE_READ_RETRIES": 2,
        "PORTONE_RETRY_BACKOFF": 0.2,
        "SANDBOX_DATABASE_URL": f"sqlite:///{instance / 'portone-sandbox.sqlite3'}",
        # How long a placed order can be paid at the prices it was placed with.
        "ORDER_PAYABLE_MINUTES": 30,
        # Integer KRW: the shipping of an order of products, free from this much of products.
        "SHIPPING_FEE": 3000,
        "FREE_SHIPPING_FROM": 50000,
        # Kakao's (Daum's) postcode search on the checkout; unset, the buyer types the address.
        "POSTCODE_SCRIPT_URL": (
            "https://t1.daumcdn.net/mapjsapi/bundle/postcode/prod/postcode.v2.js"
        ),
        **BUSINESS_INFO,
        "WTF_CSRF_TIME_LIMIT": None,
        # Nothing the shop accepts is larger than a form; refuse bodies past 1 MiB early.
        "MAX_CONTENT_LENGTH": 1024 * 1024,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_HTTPONLY": True,
        # Redis shared by every process and host of the shop ("redis://host:6379/0"): the
        # rate limits count there unless RATELIMIT_STORAGE_URI says otherwise, and the
        # catalog's page cache lives there unless CACHE_TYPE says otherwise.
        "REDIS_URL": None,
        # Flask-Limiter's counters: REDIS_URL when set, else per process ("memory://").
        "RATELIMIT_STORAGE_URI": None,
        # Should the counters' storage fail, count in the process meanwhile rather than fail.
        "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,
        # Orders placed from one address (each costs a PortOne prepare).
        "ORDERS_PER_ADDRESS": "20 per 10 minutes",
        # Webhooks from one address. PortOne posts from a handful of addresses, so this is a
        # ceiling on floods, not on PortOne; a refused webhook is settled by its retry or by
        # `flask reconcile`.
        "WEBHOOKS_PER_ADDRESS": "300 per minute",
        # werkzeug's method for new passwords; its default scrypt costs about 0.1 s a hash, which
        # is the point (tests, hashing hundreds, ask for a cheaper scrypt).
        "PASSWORD_HASH_METHOD": "scrypt",
        # Failed log-ins allowed for one account from one address, and from one address in all.
        "LOGIN_FAILURES_PER_ACCOUNT": "5 per 15 minutes",
        "LOGIN_FAILURES_PER_ADDRESS": "30 per 15 minutes",
        # Order look-ups (order number and e-mail) that found nothing, allowed from one address.
        "ORDER_LOOKUP_FAILURES_PER_ADDRESS": "10 per 15 minutes",
        # Products per page of the catalog.
        "CATALOG_PAGE_SIZE": 12,
        # Flask-Caching: unset, RedisCache on REDIS_URL if set, else SimpleCache (per process).
        "CACHE_TYPE": None,
        # How long a cached page lives: the most another process's change takes to show with
        # the simple cache (with Redis, CACHE_RECHECK_SECONDS below).
        "CACHE_DEFAULT_TIMEOUT": 60,
        # With Redis: how long a process serves the pages it keeps before it asks Redis again
        # whether the products changed, the most another process's change takes to show on
        # it (0: ask on every page). The process that made the change shows it at once.
        "CACHE_RECHECK_SECONDS": 1.0,
        "CACHE_KEY_PREFIX": "shop:",
        # Pages the simple cache keeps at most (every search is a page).
        "CACHE_THRESHOLD": 500,
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
    for name in ("SHIPPING_FEE", "FREE_SHIPPING_FROM"):
        config[name] = _won(name, config[name])
    config["PUBLIC_BASE_URL"] = _public_base_url(config["PUBLIC_BASE_URL"], mode)
    config["CATALOG_PAGE_SIZE"] = _page_size(config["CATALOG_PAGE_SIZE"])
    _finish_cache(config)
    config["RATELIMIT_STORAGE_URI"] = (
        config["RATELIMIT_STORAGE_URI"] or config["REDIS_URL"] or "memory://"
    )

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


def _page_size(value) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 1000:
        raise ConfigError(f"CATALOG_PAGE_SIZE must be a whole number from 1 to 1000, not {value!r}")
    return value


def _finish_cache(config) -> None:
    if not config["CACHE_TYPE"]:
        config["CACHE_TYPE"] = "RedisCache" if config["REDIS_URL"] else "SimpleCache"
    if config["REDIS_URL"]:
        config.setdefault("CACHE_REDIS_URL", config["REDIS_URL"])


def _proxy_fix_hops(value) -> int:
    try:
        hops = int(value)
    except (TypeError, ValueError):
        hops = -1
    if hops < 0:
        raise ConfigError(f"PROXY_FIX_HOPS must be a whole number of proxies, not {value!r}")
    return hops


def _won(name: str, value) -> int:
    """A whole number of won, 0 or more (the environment gives text)."""
    try:
        won = int(value) if not isinstance(value, bool) else -1
    except (TypeError, ValueError):
        won = -1
    if won < 0 or (isinstance(value, float) and value != won):
        raise ConfigError(f"{name} must be a whole number of won, 0 or more, not {value!r}")
    return won


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
