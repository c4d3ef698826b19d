"""Serve the sandbox alone: ``portone-sandbox --port 5001`` (API, SDK and dashboard at /)."""

import argparse
import os

from werkzeug.serving import run_simple

from portone_sandbox import DEFAULTS, create_app


def main() -> None:
    parser = argparse.ArgumentParser(description="PortOne V1 sandbox, standalone")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5001)
    parser.add_argument(
        "--database",
        default=os.environ.get("SANDBOX_DATABASE_URL", DEFAULTS["SQLALCHEMY_DATABASE_URI"]),
        help="SQLAlchemy URL of the sandbox's own database",
    )
    parser.add_argument(
        "--webhook-url",
        default=os.environ.get("PORTONE_WEBHOOK_URL"),
        help="the console notification URL, used when a request names no notice_url",
    )
    args = parser.parse_args()
    app = create_app(
        {"SQLALCHEMY_DATABASE_URI": args.database, "SANDBOX_WEBHOOK_URL": args.webhook_url}
    )
    run_simple(args.host, args.port, app, threaded=True)


if __name__ == "__main__":
    main()
