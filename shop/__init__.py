"""The reference Kakao Pay shop.

``create_app`` reads as a table of contents: configuration, extensions, blueprints, error
pages, commands, and (in sandbox mode) the PortOne sandbox mounted at ``/portone-sandbox``.
"""

from pathlib import Path

from flask import Flask

from shop import config as shop_config

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def create_app(test_config: dict | None = None) -> Flask:
    app = Flask(
        __name__,
        instance_relative_config=True,
        template_folder="../templates",
        static_folder="../static",
    )
    configure(app, test_config)
    register_extensions(app)
    register_blueprints(app)
    register_errorhandlers(app)
    register_commands(app)
    register_portone(app)
    return app


def configure(app: Flask, test_config: dict | None) -> None:
    app.config.update(shop_config.defaults(app.instance_path))
    app.config.from_pyfile("config.py", silent=True)
    shop_config.load_environment(app.config)
    if test_config:
        app.config.update(test_config)
    shop_config.finish(app.config, app.instance_path)
    app.json.ensure_ascii = False


def register_extensions(app: Flask) -> None:
    from shop.extensions import csrf, db, limiter, login_manager, migrate

    db.init_app(app)
    # render_as_batch lets SQLite alter tables (it cannot drop or change columns in place).
    migrate.init_app(app, db, directory=str(MIGRATIONS), render_as_batch=True)
    csrf.init_app(app)
    login_manager.init_app(app)
    limiter.init_app(app)
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        _sqlite_pragmas(app)


def register_blueprints(app: Flask) -> None:
    from shop.account import bp as account_bp
    from shop.cart import bp as cart_bp
    from shop.catalog import bp as catalog_bp
    from shop.checkout import bp as checkout_bp

    app.register_blueprint(catalog_bp)
    app.register_blueprint(cart_bp)
    app.register_blueprint(checkout_bp)
    app.register_blueprint(account_bp)

    from shop.format import register_filters

    register_filters(app)


def register_errorhandlers(app: Flask) -> None:
    from shop.errors import register

    register(app)


def register_commands(app: Flask) -> None:
    from shop.commands import register

    register(app)


def register_portone(app: Flask) -> None:
    """Give the app its PortOne client, and in embedded sandbox mode mount the sandbox."""
    from shop.portone import build_client

    sandbox_app = None
    if app.config["PORTONE_EMBEDDED"]:
        # The single place the shop touches the sandbox: mount it as a separate WSGI app.
        from werkzeug.middleware.dispatcher import DispatcherMiddleware

        import portone_sandbox as sandbox

        sandbox_app = sandbox.create_app(
            {
                "SQLALCHEMY_DATABASE_URI": app.config["SANDBOX_DATABASE_URL"],
                "SANDBOX_IMP_CODE": app.config["PORTONE_IMP_CODE"],
                "SANDBOX_API_KEY": app.config["PORTONE_API_KEY"],
                "SANDBOX_API_SECRET": app.config["PORTONE_API_SECRET"],
                "SANDBOX_WEBHOOK_URL": app.config["PORTONE_WEBHOOK_URL"],
                "SANDBOX_WEBHOOK_CONTENT_TYPE": app.config["PORTONE_WEBHOOK_CONTENT_TYPE"],
            }
        )
        app.wsgi_app = DispatcherMiddleware(app.wsgi_app, {shop_config.SANDBOX_MOUNT: sandbox_app})
    app.extensions["portone"] = build_client(app.config, sandbox_app, shop_config.SANDBOX_MOUNT)


def _sqlite_pragmas(app: Flask) -> None:
    from sqlalchemy import event

    from shop.extensions import db

    with app.app_context():

        @event.listens_for(db.engine, "connect")
        def _on_connect(dbapi_connection, _record):
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA busy_timeout=10000")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.close()
