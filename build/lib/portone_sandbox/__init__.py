"""The PortOne V1 sandbox: an offline, stateful stand-in for PortOne's REST API, ``iamport.js``
with a Kakao Pay approval window, and webhooks.

It is a WSGI app of its own and imports nothing from the shop. The shop mounts it at
``/portone-sandbox`` in sandbox mode; ``python -m portone_sandbox`` serves it alone at ``/``.
"""

from pathlib import Path

from flask import Flask

from portone_sandbox.models import db

HERE = Path(__file__).parent

DEFAULTS = {
    "SANDBOX_IMP_CODE": "imp00000000",
    "SANDBOX_API_KEY": "sandbox-key",
    "SANDBOX_API_SECRET": "sandbox-secret",
    # The console's notification URL, used when a request names no notice_url.
    "SANDBOX_WEBHOOK_URL": None,
    # "json" (PortOne's default) or "form" (application/x-www-form-urlencoded).
    "SANDBOX_WEBHOOK_CONTENT_TYPE": "json",
    # PortOne sends once by default; with retries on, up to 5 more a minute apart.
    "SANDBOX_WEBHOOK_RETRY": False,
    "SANDBOX_WEBHOOK_RETRY_INTERVAL": 60.0,
    "SANDBOX_WEBHOOK_TIMEOUT": 10.0,
    "SQLALCHEMY_DATABASE_URI": "sqlite:///"
    + str(HERE.parent / "instance" / "portone-sandbox.sqlite3"),
}


def create_app(config: dict | None = None) -> Flask:
    """Build the sandbox app. ``config`` overrides ``DEFAULTS``."""
    app = Flask(
        __name__,
        template_folder=str(HERE / "templates"),
        static_folder=str(HERE / "static"),
        static_url_path="/_sandbox/static",
    )
    app.config.update(DEFAULTS)
    app.config.update(config or {})
    app.json.ensure_ascii = False
    app.json.sort_keys = False

    db.init_app(app)
    _sqlite_pragmas(app)

    from portone_sandbox import api, console, params, window

    app.before_request(params.refuse_nul_characters)

    app.register_blueprint(api.bp)
    app.register_blueprint(window.bp)
    app.register_blueprint(console.bp)

    with app.app_context():
        _ensure_sqlite_dir(app.config["SQLALCHEMY_DATABASE_URI"])
        db.create_all()
    return app


def _ensure_sqlite_dir(uri: str) -> None:
    if uri.startswith("sqlite:///") and uri != "sqlite:///:memory:":
        Path(uri.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)


def _sqlite_pragmas(app: Flask) -> None:
    """WAL and a busy timeout, so the webhook thread and requests share the file calmly."""
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        return
    from sqlalchemy import event

    with app.app_context():
        engine = db.engine

        @event.listens_for(engine, "connect")
        def _on_connect(dbapi_connection, _record):
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA busy_timeout=5000")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.close()
