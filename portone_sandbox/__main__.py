"""Serve the sandbox alone: ``portone-sandbox --port 5001`` (API, SDK and dashboard at /)."""

import argparse
import os

from werkzeug.serving import run_simple

from portone_sandbox import create_app


def main() -> None:
    parser = argparse.ArgumentParser(description="PortOne V1 sandbox, standalone")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5001)
    parser.add_argument(
        "--database",
        help="SQLAlchemy URL of the sandbox's own database (default: $SANDBOX_DATABASE_URL, "
        "else instance/portone-sandbox.sqlite3 under the current directory)",
    )
    parser.add_argument(
        "--webhook-url",
        default=os.environ.get("PORTONE_WEBHOOK_URL"),
        help="the console notification URL, used when a request names no notice_url",
    )
    args = parser.parse_args()
    config = {"SANDBOX_WEBHOOK_URL": args.webhook_url}
    if args.database:
        config["SQLALCHEMY_DATABASE_URI"] = args.database
    run_simple(args.host, args.port, create_app(config), threaded=True)


if __name__ == "__main__":
    main()
