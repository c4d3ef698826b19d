"""The reference Kakao Pay shop.

``create_app`` reads as a table of contents: configuration, logging, extensions, languages,
blueprints, error pages, security headers, commands, PortOne (in sandbox mode the PortOne
sandbox mounted at ``/portone-sandbox``), and the proxy in front.
"""

import os
from pathlib import Path

from flask import Flask

from shop import config as shop_config

HERE = Path(__file__).resolve().parent


def create_app(test_config: dict | None = None) -> Flask:
    """The shop. ``test_config`` replaces ``instance/config.py`` and the environment (tests)."""
    app = Flask(
        __name__,
        instance_path=_instance_path(),
        instance_relative_config=True,
        template_folder=str(project_dir("templates")),
        static_folder=str(project_dir("static")),
    )
    configure(app, test_config)
    configure_logger(app)
    register_extensions(app)
    register_languages(app)
    register_blueprints(app)
    register_errorhandlers(app)
    register_headers(app)
    register_commands(app)
    register_portone(app)
    register_proxy_fix(app)
    return app


def project_dir(name: str) -> Path:
    """A top-level folder of the project (``templates``, ``static``, ``migrations``).

    It lies beside the package in a checkout; a built wheel carries it inside the package.
    """
    installed = HERE / name
    return installed if installed.is_dir() else HERE.parent / name


def _instance_path() -> str | None:
    """``SHOP_INSTANCE_PATH`` when set; otherwise Flask's choice (``instance/`` in a checkout,
    ``<prefix>/var/shop-instance`` for an installed package)."""
    path = os.environ.get("SHOP_INSTANCE_PATH")
    return os.path.abspath(path) if path else None


def configure(app: Flask, test_config: dict | None) -> None:
    app.config.update(shop_config.defaults(app.instance_path))
    if test_config is None:
        app.config.from_pyfile("config.py", silent=True)
        shop_config.load_environment(app.config)
    else:
        app.config.update(test_config)
    shop_config.finish(app.config, app.instance_path)
    app.json.ensure_ascii = False


def configure_logger(app: Flask) -> None:
    """Let the shop's records through at ``LOG_LEVEL``: ``shop.payments`` logs every sync at
    INFO, which Python's default (WARNING) would drop. Flask writes them to stderr."""
    app.logger.setLevel(app.config["LOG_LEVEL"])


def register_extensions(app: Flask) -> None:
    from shop.extensions import csrf, db, limiter, login_manager, migrate

    db.init_app(app)
    # render_as_batch lets SQLite alter tables (it cannot drop or change columns in place).
    migrate.init_app(app, db, directory=str(project_dir("migrations")), render_as_batch=True)
    csrf.init_app(app)
    login_manager.init_app(app)
    limiter.init_app(app)
    from shop.catalog.cache import configure as configure_page_cache

    configure_page_cache(app)
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        _sqlite_pragmas(app)


def register_languages(app: Flask) -> None:
    from shop.language import register

    register(app)


def register_blueprints(app: Flask) -> None:
    from shop.account import bp as account_bp
    from shop.admin import bp as admin_bp
    from shop.cart import bp as cart_bp
    from shop.catalog import bp as catalog_bp
    from shop.checkout import bp as checkout_bp
    from shop.legal import bp as legal_bp
    from shop.sharing import bp as sharing_bp
    from shop.subscriptions import bp as subscriptions_bp

    app.register_blueprint(catalog_bp)
    app.register_blueprint(cart_bp)
    app.register_blueprint(checkout_bp)
    app.register_blueprint(account_bp)
    app.register_blueprint(admin_bp)
    app.register_blueprint(subscriptions_bp)
    app.register_blueprint(legal_bp)
    app.register_blueprint(sharing_bp)

    from shop.format import register_filters

    register_filters(app)


def register_errorhandlers(app: Flask) -> None:
    from shop.errors import register

    register(app)


def register_headers(app: Flask) -> None:
    from shop.headers import register

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
        from flask import url_for
        from werkzeug.middleware.dispatcher import DispatcherMiddleware

        import portone_sandbox as sandbox

        with app.test_request_context():
            webhook_path = url_for("checkout.webhook")
            home_path = url_for("catalog.index")
        # With a public address set, full URLs; else paths on the request's own host.
        webhook_url = (app.config["PUBLIC_BASE_URL"] or "") + webhook_path
        sandbox_app = sandbox.create_app(
            {
                "SQLALCHEMY_DATABASE_URI": app.config["SANDBOX_DATABASE_URL"],
                "SANDBOX_IMP_CODE": app.config["PORTONE_IMP_CODE"],
                "SANDBOX_API_KEY": app.config["PORTONE_API_KEY"],
                "SANDBOX_API_SECRET": app.config["PORTONE_API_SECRET"],
                # The window names the shop as buyers know it; the dashboard links back to it.
                "SANDBOX_MERCHANT_NAME": app.config["SHOP_NAME"],
                "SANDBOX_SHOP_URL": (app.config["PUBLIC_BASE_URL"] or "") + home_path,
                "SANDBOX_WEBHOOK_URL": app.config["PORTONE_WEBHOOK_URL"],
                "SANDBOX_WEBHOOK_CONTENT_TYPE": app.config["PORTONE_WEBHOOK_CONTENT_TYPE"],
                # Buyers name the notice_url here: post only to the shop's own webhook.
                "SANDBOX_WEBHOOK_ALLOWED_URLS": [webhook_url],
                # Requests under the mount bypass the shop's app: give the sandbox its limits.
                "MAX_CONTENT_LENGTH": app.config["MAX_CONTENT_LENGTH"],
                "TRUSTED_HOSTS": app.config["TRUSTED_HOSTS"],
                "SECRET_KEY": app.config["SECRET_KEY"],
            }
        )
        app.wsgi_app = DispatcherMiddleware(app.wsgi_app, {shop_config.SANDBOX_MOUNT: sandbox_app})
    app.extensions["portone"] = build_client(app.config, sandbox_app, shop_config.SANDBOX_MOUNT)


def register_proxy_fix(app: Flask) -> None:
    """Believe the X-Forwarded-* headers of ``PROXY_FIX_HOPS`` proxies, so the shop sees the
    scheme and host the buyer used (secure requests, CSRF's referrer check)."""
    hops = app.config["PROXY_FIX_HOPS"]
    if hops:
        from werkzeug.middleware.proxy_fix import ProxyFix

        # Outermost, after the sandbox's mount, so the mounted sandbox sees them too.
        app.wsgi_app = ProxyFix(
            app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_port=hops, x_prefix=hops
        )


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
