"""Serve the sandbox alone: ``portone-sandbox --port 5001`` (API, SDK and dashboard at /).

Every setting also comes from the environment, so a container is configured the usual way:
``SANDBOX_HOST``, ``SANDBOX_PORT``, ``SANDBOX_DATABASE_URL``, the credentials
``SANDBOX_IMP_CODE``, ``SANDBOX_API_KEY`` and ``SANDBOX_API_SECRET`` (from the environment
only: a command line is visible to every user of the machine), and the webhook settings
``PORTONE_WEBHOOK_URL``, ``SANDBOX_WEBHOOK_CONTENT_TYPE`` (``json`` or ``form``) and
``SANDBOX_WEBHOOK_RETRY`` (``true`` or ``false``), and the shop's name and address for the window
and the dashboard, ``SANDBOX_MERCHANT_NAME`` and ``SANDBOX_SHOP_URL``. An option given on the
command line wins.
"""

import argparse
import os

from werkzeug.serving import run_simple

from portone_sandbox import create_app

CREDENTIALS = ("SANDBOX_IMP_CODE", "SANDBOX_API_KEY", "SANDBOX_API_SECRET")
TRUE, FALSE = ("true", "1", "yes", "on"), ("false", "0", "no", "off", "")


def main(argv: list[str] | None = None) -> None:
    env = os.environ
    parser = argparse.ArgumentParser(description="PortOne V1 sandbox, standalone")
    parser.add_argument("--host", default=env.get("SANDBOX_HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=env.get("SANDBOX_PORT", "5001"))
    parser.add_argument(
        "--database",
        help="SQLAlchemy URL of the sandbox's own database (default: $SANDBOX_DATABASE_URL, "
        "else instance/portone-sandbox.sqlite3 under the current directory)",
    )
    parser.add_argument(
        "--webhook-url",
        default=env.get("PORTONE_WEBHOOK_URL"),
        help="the console notification URL, used when a request names no notice_url",
    )
    parser.add_argument(
        "--webhook-content-type",
        choices=("json", "form"),
        default=env.get("SANDBOX_WEBHOOK_CONTENT_TYPE", "json"),
    )
    parser.add_argument(
        "--webhook-retry",
        action=argparse.BooleanOptionalAction,
        default=_flag(parser, "SANDBOX_WEBHOOK_RETRY"),
        help="retry failed webhooks up to 5 times, a minute apart, as PortOne does when asked",
    )
    parser.add_argument(
        "--merchant-name",
        default=env.get("SANDBOX_MERCHANT_NAME"),
        help="the shop's name, which the Kakao Pay window shows",
    )
    parser.add_argument(
        "--shop-url",
        default=env.get("SANDBOX_SHOP_URL"),
        help="the shop's address, which the dashboard links back to",
    )
    args = parser.parse_args(argv)
    if args.webhook_content_type not in ("json", "form"):
        parser.error("SANDBOX_WEBHOOK_CONTENT_TYPE must be json or form")
    config = {
        "SANDBOX_WEBHOOK_URL": args.webhook_url,
        "SANDBOX_WEBHOOK_CONTENT_TYPE": args.webhook_content_type,
        "SANDBOX_WEBHOOK_RETRY": args.webhook_retry,
        "SANDBOX_MERCHANT_NAME": args.merchant_name or None,
        "SANDBOX_SHOP_URL": args.shop_url or None,
        **{name: env[name] for name in CREDENTIALS if env.get(name)},
    }
    if args.database:
        config["SQLALCHEMY_DATABASE_URI"] = args.database
    run_simple(args.host, args.port, create_app(config), threaded=True)


def _flag(parser: argparse.ArgumentParser, name: str) -> bool:
    value = os.environ.get(name, "").strip().lower()
    if value not in TRUE + FALSE:
        parser.error(f"{name} must be true or false, not {value!r}")
    return value in TRUE


if __name__ == "__main__":
    main()
