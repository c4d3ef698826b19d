"""The PortOne V1 sandbox: an offline, stateful stand-in for PortOne's REST API, ``iamport.js``
with a Kakao Pay approval window, and webhooks.

It is a WSGI app of its own and imports nothing from the shop. The shop mounts it at
``/portone-sandbox`` in sandbox mode; ``portone-sandbox`` (or ``python -m portone_sandbox``) serves
it alone at ``/``.
"""

import os
import secrets
from pathlib import Path

from flask import Flask
from sqlalchemy import event

from portone_sandbox.models import db

HERE = Path(__file__).parent

DEFAULTS = {
    "SANDBOX_IMP_CODE": "imp00000000",
    "SANDBOX_API_KEY": "sandbox-key",
    # Also the secret the /_sandbox/ controls ask for.
    "SANDBOX_API_SECRET": "sandbox-secret",
    # The shop's name as buyers know it, shown by the window and the receipts; unset, the window
    # shows the request's name alone (never the merchant code).
    "SANDBOX_MERCHANT_NAME": None,
    # The shop's address, linked from the dashboard; unset (standalone), no link.
    "SANDBOX_SHOP_URL": None,
    # The console's notification URL, used when a request names no notice_url.
    "SANDBOX_WEBHOOK_URL": None,
    # None: a notice_url may be any address, as with PortOne. A list: only these URLs (a path
    # means that path on the host the request came to) and the console URL.
    "SANDBOX_WEBHOOK_ALLOWED_URLS": None,
    # "json" (PortOne's default) or "form" (application/x-www-form-urlencoded).
    "SANDBOX_WEBHOOK_CONTENT_TYPE": "json",
    # PortOne sends once by default; with retries on, up to 5 more a minute apart.
    "SANDBOX_WEBHOOK_RETRY": False,
    "SANDBOX_WEBHOOK_RETRY_INTERVAL": 60.0,
    "SANDBOX_WEBHOOK_TIMEOUT": 10.0,
    # The webhook log's long-poll holds a worker: this long at most, this many at once.
    "SANDBOX_CONTROL_MAX_WAIT": 5.0,
    "SANDBOX_CONTROL_MAX_WAITERS": 4,
    # Due schedules are charged by a background thread polling this often (seconds); off, only
    # the run control and the dashboard's button run them.
    "SANDBOX_SCHEDULE_RUNNER": True,
    "SANDBOX_SCHEDULE_INTERVAL": 0.5,
    # Nothing the sandbox accepts comes near 1 MiB; without a limit werkzeug reads a chunked body
    # for as long as it lasts.
    "MAX_CONTENT_LENGTH": 1024 * 1024,
    # Its own cookie (the dashboard's CSRF token), apart from the session of a shop mounting it.
    "SESSION_COOKIE_NAME": "portone_sandbox_session",
    "SESSION_COOKIE_SAMESITE": "Lax",
    "WTF_CSRF_TIME_LIMIT": None,
    # The longest an armed "hang" or "delay" fault may wait, in seconds.
    "SANDBOX_FAULT_MAX_DELAY": 30.0,
}


def create_app(config: dict | None = None) -> Flask:
    """Build the sandbox app. ``config`` overrides ``DEFAULTS``.

    Its database is ``SQLALCHEMY_DATABASE_URI``, else the environment's ``SANDBOX_DATABASE_URL``,
    else ``instance/portone-sandbox.sqlite3`` under the current directory. Without a
    ``SECRET_KEY`` it makes one for the life of the process.
    """
    app = Flask(
        __name__,
        instance_path=str(Path.cwd() / "instance"),
        template_folder=str(HERE / "templates"),
        static_folder=str(HERE / "static"),
        static_url_path="/_sandbox/static",
    )
    app.config.update(DEFAULTS)
    # A relative SQLite path is taken inside the instance folder.
    app.config["SQLALCHEMY_DATABASE_URI"] = os.environ.get(
        "SANDBOX_DATABASE_URL", "sqlite:///portone-sandbox.sqlite3"
    )
    app.config.update(config or {})
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = secrets.token_hex(32)
    app.json.ensure_ascii = False
    app.json.sort_keys = False

    db.init_app(app)
    with app.app_context():
        _prepare_sqlite(db.engine)
        db.create_all()

    from portone_sandbox import (
        api,
        console,
        controls,
        errors,
        faults,
        formatting,
        params,
        schedule_api,
        schedule_runner,
        window,
    )

    app.before_request(params.refuse_nul_characters)
    app.before_request(schedule_runner.start_if_booked)
    faults.register(app)
    app.register_blueprint(api.bp)
    app.register_blueprint(schedule_api.bp)
    app.register_blueprint(window.bp)
    app.register_blueprint(console.bp)
    app.register_blueprint(controls.bp)
    errors.register(app)
    formatting.register(app)
    return app


def _prepare_sqlite(engine) -> None:
    """A SQLite file gets its folder, WAL and a busy timeout, so the webhook threads and the
    requests share it calmly."""
    if engine.dialect.name != "sqlite":
        return
    if engine.url.database and engine.url.database != ":memory:":
        Path(engine.url.database).parent.mkdir(parents=True, exist_ok=True)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=5000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()
