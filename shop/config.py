"""Configuration: defaults in code, then ``instance/config.py``, then the environment.

Every name below can be set in ``instance/config.py`` or as an environment variable of the
same name (a ``.env`` file is read by the ``flask`` command). Tests pass their own mapping to
``create_app``, which wins over both.
"""

import os
import secrets
from pathlib import Path

SANDBOX_IMP_CODE = "imp00000000"
SANDBOX_API_KEY = "sandbox-key"
SANDBOX_API_SECRET = "sandbox-secret"
SANDBOX_MOUNT = "/portone-sandbox"

LIVE_API_BASE = "https://api.iamport.kr"
LIVE_SDK_URL = "https://cdn.iamport.kr/v1/iamport.js"

# Names read from the environment when set there.
ENV_NAMES = (
    "SECRET_KEY",
    "DATABASE_URL",
    "PORTONE_MODE",
    "PORTONE_IMP_CODE",
    "PORTONE_API_KEY",
    "PORTONE_API_SECRET",
    "PORTONE_API_BASE",
    "PORTONE_SDK_URL",
    "PORTONE_WEBHOOK_URL",
    "PORTONE_WEBHOOK_CONTENT_TYPE",
    "SANDBOX_DATABASE_URL",
    "RATELIMIT_STORAGE_URI",
    "LOGIN_FAILURES_PER_ACCOUNT",
    "LOGIN_FAILURES_PER_ADDRESS",
)


class ConfigError(RuntimeError):
    """The configuration cannot run safely (e.g. live mode with sandbox credentials)."""


def defaults(instance_path: str) -> dict:
    """The settings a fresh clone runs with: SQLite in ``instance/`` and the embedded sandbox."""
    instance = Path(instance_path)
    return {
        "SECRET_KEY": None,
        "DATABASE_URL": f"sqlite:///{instance / 'shop.sqlite3'}",
        "PORTONE_MODE": "sandbox",
        "PORTONE_IMP_CODE": None,
        "PORTONE_API_KEY": None,
        "PORTONE_API_SECRET": None,
        # Unset in sandbox mode means "the sandbox mounted in this process".
        "PORTONE_API_BASE": None,
        "PORTONE_SDK_URL": None,
        # The sandbox's "console" notification URL, used when a request names no notice_url.
        "PORTONE_WEBHOOK_URL": None,
        "PORTONE_WEBHOOK_CONTENT_TYPE": "json",
        # (connect, read) seconds for every call to PortOne.
        "PORTONE_TIMEOUT": (3.05, 10.0),
        "SANDBOX_DATABASE_URL": f"sqlite:///{instance / 'portone-sandbox.sqlite3'}",
        "WTF_CSRF_TIME_LIMIT": None,
        # Nothing the shop accepts is larger than a form; refuse bodies past 1 MiB early.
        "MAX_CONTENT_LENGTH": 1024 * 1024,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_HTTPONLY": True,
        # Flask-Limiter's counters: per process by default; "redis://host:6379/0" shares them.
        "RATELIMIT_STORAGE_URI": "memory://",
        # Failed log-ins allowed for one account from one address, and from one address in all.
        "LOGIN_FAILURES_PER_ACCOUNT": "5 per 15 minutes",
        "LOGIN_FAILURES_PER_ADDRESS": "30 per 15 minutes",
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
    config["SQLALCHEMY_DATABASE_URI"] = config["DATABASE_URL"]

    if mode == "live":
        missing = [
            name
            for name in ("SECRET_KEY", "PORTONE_IMP_CODE", "PORTONE_API_KEY", "PORTONE_API_SECRET")
            if not config.get(name)
        ]
        if missing:
            raise ConfigError(f"live mode needs {', '.join(missing)} set")
        if (
            config["PORTONE_API_KEY"] == SANDBOX_API_KEY
            or config["PORTONE_API_SECRET"] == SANDBOX_API_SECRET
            or config["PORTONE_IMP_CODE"] == SANDBOX_IMP_CODE
        ):
            raise ConfigError("live mode refuses the sandbox's merchant code and credentials")
        config["PORTONE_API_BASE"] = config["PORTONE_API_BASE"] or LIVE_API_BASE
        config["PORTONE_SDK_URL"] = config["PORTONE_SDK_URL"] or LIVE_SDK_URL
        config["PORTONE_EMBEDDED"] = False
        return

    config["PORTONE_IMP_CODE"] = config["PORTONE_IMP_CODE"] or SANDBOX_IMP_CODE
    config["PORTONE_API_KEY"] = config["PORTONE_API_KEY"] or SANDBOX_API_KEY
    config["PORTONE_API_SECRET"] = config["PORTONE_API_SECRET"] or SANDBOX_API_SECRET
    # No API base given: mount the sandbox here and reach it in-process.
    config["PORTONE_EMBEDDED"] = not config["PORTONE_API_BASE"]
    if config["PORTONE_EMBEDDED"]:
        config["PORTONE_SDK_URL"] = config["PORTONE_SDK_URL"] or f"{SANDBOX_MOUNT}/v1/iamport.js"
    else:
        base = config["PORTONE_API_BASE"].rstrip("/")
        config["PORTONE_SDK_URL"] = config["PORTONE_SDK_URL"] or f"{base}/v1/iamport.js"
    if not config.get("SECRET_KEY"):
        config["SECRET_KEY"] = _local_secret_key(Path(instance_path))


def _local_secret_key(instance: Path) -> str:
    """A random key kept in ``instance/`` so a sandbox run needs no set-up and no secret in git."""
    path = instance / "secret_key"
    if path.exists():
        return path.read_text().strip()
    instance.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    path.write_text(key)
    return key
