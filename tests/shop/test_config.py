"""Configuration: the modes, where PortOne is, the guards of both modes, and where settings
come from (``instance/config.py`` and the environment, both replaced by a test config)."""

import logging

import pytest

from shop import create_app
from shop.config import ENV_NAMES, ConfigError

LIVE = {
    "PORTONE_MODE": "live",
    "SECRET_KEY": "a-real-secret",
    "PUBLIC_BASE_URL": "https://shop.example.com",
    "PORTONE_IMP_CODE": "imp12345678",
    "PORTONE_API_KEY": "live-key",
    "PORTONE_API_SECRET": "live-secret",
}


@pytest.fixture
def instance(tmp_path, monkeypatch):
    """An instance folder of its own, and an environment without the shop's settings.

    ``instance(NAME=value, ...)`` writes them to its ``config.py``; ``create_app()`` without a
    test config then reads that file and the environment, as ``flask run`` and gunicorn do.
    """
    for name in ENV_NAMES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SHOP_INSTANCE_PATH", str(tmp_path))

    def write(**settings):
        settings = {
            "DATABASE_URL": f"sqlite:///{tmp_path / 'shop.sqlite3'}",
            "SANDBOX_DATABASE_URL": f"sqlite:///{tmp_path / 'sandbox.sqlite3'}",
            **settings,
        }
        lines = [f"{name} = {value!r}\n" for name, value in settings.items()]
        (tmp_path / "config.py").write_text("".join(lines))
        return tmp_path

    return write


# Modes -----------------------------------------------------------------------------------


def test_sandbox_is_the_default_and_is_mounted(app, client):
    assert app.config["PORTONE_MODE"] == "sandbox"
    assert app.config["PORTONE_EMBEDDED"] is True
    assert app.config["PORTONE_SDK_URL"] == "/portone-sandbox/v1/iamport.js"
    assert client.get("/portone-sandbox/v1/iamport.js").status_code == 200


def test_live_mode_talks_to_portone_and_mounts_no_sandbox(app_factory):
    app = app_factory(**LIVE)
    assert app.extensions["portone"].api_base == "https://api.iamport.kr"
    assert app.config["PORTONE_SDK_URL"] == "https://cdn.iamport.kr/v1/iamport.js"
    client = app.test_client()
    assert client.get("/portone-sandbox/v1/iamport.js").status_code == 404
    assert client.get("/portone-sandbox/").status_code == 404


@pytest.mark.parametrize(
    "missing",
    ["SECRET_KEY", "PUBLIC_BASE_URL", "PORTONE_IMP_CODE", "PORTONE_API_KEY", "PORTONE_API_SECRET"],
)
def test_live_mode_refuses_to_start_without_its_settings(app_factory, missing):
    with pytest.raises(ConfigError, match=missing):
        app_factory(**{**LIVE, missing: ""})


@pytest.mark.parametrize(
    "sandbox_value",
    [
        {"PORTONE_API_KEY": "sandbox-key"},
        {"PORTONE_API_SECRET": "sandbox-secret"},
        {"PORTONE_IMP_CODE": "imp00000000"},
    ],
)
def test_live_mode_refuses_the_sandbox_credentials(app_factory, sandbox_value):
    with pytest.raises(ConfigError, match="sandbox"):
        app_factory(**{**LIVE, **sandbox_value})


def test_unknown_mode_is_refused(app_factory):
    with pytest.raises(ConfigError, match="PORTONE_MODE"):
        app_factory(PORTONE_MODE="production")


def test_a_standalone_sandbox_is_reached_over_http(app_factory):
    app = app_factory(PORTONE_API_BASE="http://127.0.0.1:5001/")
    assert app.config["PORTONE_EMBEDDED"] is False
    assert app.extensions["portone"].api_base == "http://127.0.0.1:5001"
    assert app.config["PORTONE_SDK_URL"] == "http://127.0.0.1:5001/v1/iamport.js"
    assert app.test_client().get("/portone-sandbox/v1/iamport.js").status_code == 404


# Forgetting PORTONE_MODE fails closed ------------------------------------------------------


@pytest.mark.parametrize("name", ["PORTONE_API_KEY", "PORTONE_API_SECRET", "PORTONE_IMP_CODE"])
@pytest.mark.parametrize("mode", [None, "sandbox"])
def test_sandbox_mode_refuses_credentials_that_are_not_the_sandboxs(app_factory, name, mode):
    config = {name: LIVE[name], **({"PORTONE_MODE": mode} if mode else {})}
    with pytest.raises(ConfigError, match=rf"{name} is not the sandbox's.*PORTONE_MODE=live"):
        app_factory(**config)


def test_live_keys_without_a_mode_in_the_environment_do_not_start(instance, monkeypatch):
    """The operator who set real keys and forgot PORTONE_MODE gets an error, not a sandbox."""
    instance()
    for name in ("SECRET_KEY", "PORTONE_IMP_CODE", "PORTONE_API_KEY", "PORTONE_API_SECRET"):
        monkeypatch.setenv(name, LIVE[name])
    with pytest.raises(ConfigError, match="PORTONE_MODE"):
        create_app()


def test_the_sandbox_credentials_may_be_spelled_out_in_sandbox_mode(app_factory):
    app = app_factory(
        PORTONE_MODE="sandbox",
        PORTONE_IMP_CODE="imp00000000",
        PORTONE_API_KEY="sandbox-key",
        PORTONE_API_SECRET="sandbox-secret",
    )
    assert app.config["PORTONE_EMBEDDED"] is True


# Live transport ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url", ["http://shop.example.com", "shop.example.com", "https://shop.example.com/shop"]
)
def test_live_mode_needs_an_https_public_base_url(app_factory, url):
    with pytest.raises(ConfigError, match="PUBLIC_BASE_URL"):
        app_factory(**{**LIVE, "PUBLIC_BASE_URL": url})


def start_session(client, base_url: str = "http://localhost"):
    """A first act (an item into the cart), which starts the session; reading pages does not."""
    return client.post(
        "/cart/add",
        data={"product_id": "1", "quantity": "1"},
        base_url=base_url,
        headers={"Origin": base_url},
    )


def test_live_mode_sends_the_session_cookie_over_https_only(app_factory):
    app = app_factory(**LIVE)
    response = start_session(app.test_client(), "https://shop.example.com")
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("session=")
    assert "Secure" in cookie.split("; ")


def test_sandbox_mode_keeps_plain_http_cookies_for_localhost(client):
    cookie = start_session(client).headers["Set-Cookie"]
    assert cookie.startswith("session=")
    assert "Secure" not in cookie.split("; ")


@pytest.mark.parametrize("hops", ["two", "-1", ""])
def test_proxy_fix_hops_must_be_a_count(app_factory, hops):
    with pytest.raises(ConfigError, match="PROXY_FIX_HOPS"):
        app_factory(PROXY_FIX_HOPS=hops)


# Where settings come from ------------------------------------------------------------------


def test_instance_config_and_environment_are_read_without_a_test_config(instance, monkeypatch):
    instance(PORTONE_WEBHOOK_URL="http://127.0.0.1:5000/from-instance", LOG_LEVEL="WARNING")
    monkeypatch.setenv("LOG_LEVEL", "DEBUG")
    monkeypatch.setenv("PROXY_FIX_HOPS", "2")
    app = create_app()
    assert app.config["PORTONE_WEBHOOK_URL"] == "http://127.0.0.1:5000/from-instance"
    # The environment wins over the instance file, and arrives as the right type.
    assert app.config["LOG_LEVEL"] == "DEBUG"
    assert app.config["PROXY_FIX_HOPS"] == 2


def test_a_test_config_replaces_the_instance_config_and_environment(
    instance, monkeypatch, app_factory
):
    """A fork's live keys, in instance/config.py and in the environment, never reach a test."""
    folder = instance(**LIVE, PORTONE_WEBHOOK_URL="http://127.0.0.1:5000/from-instance")
    for name, value in LIVE.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://shop@db.example.com/live")
    # Without a test config, this folder and environment make a live shop...
    live = create_app()
    assert live.instance_path == str(folder)
    assert live.config["PORTONE_MODE"] == "live"
    assert live.extensions["portone"].api_base == "https://api.iamport.kr"
    # ...but an app built as the suite builds them stays in the sandbox, on its own database.
    app = app_factory(seed=False, in_memory=False)
    assert app.instance_path == str(folder)
    assert app.config["PORTONE_MODE"] == "sandbox"
    assert app.config["PORTONE_API_KEY"] == "sandbox-key"
    assert app.extensions["portone"].api_base.startswith("http://portone-sandbox.embedded")
    assert app.config["PORTONE_WEBHOOK_URL"] is None
    assert app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite:///")


def test_sqlalchemy_database_uri_is_refused_with_the_name_to_use(instance):
    instance(SQLALCHEMY_DATABASE_URI="postgresql+psycopg://shop@db.example.com/shop")
    with pytest.raises(ConfigError, match="set DATABASE_URL instead"):
        create_app()


def test_database_url_from_the_instance_config_is_used(instance, tmp_path):
    url = f"sqlite:///{tmp_path / 'elsewhere.sqlite3'}"
    instance(DATABASE_URL=url)
    assert create_app().config["SQLALCHEMY_DATABASE_URI"] == url


# Logging -----------------------------------------------------------------------------------


def test_every_sync_outcome_is_logged_at_info(app, client, caplog):
    """The root logger stays at Python's default (WARNING): the factory lets INFO through."""
    assert logging.getLogger().getEffectiveLevel() == logging.WARNING
    client.post("/portone/webhook", json={"imp_uid": "imp_123456789012"})
    [record] = [r for r in caplog.records if r.name == "shop.payments"]
    assert record.levelno == logging.INFO
    assert "imp_123456789012" in record.getMessage()


def test_log_level_quiets_the_payment_log(app_factory, caplog):
    app = app_factory(LOG_LEVEL="warning")
    app.test_client().post("/portone/webhook", json={"imp_uid": "imp_123456789012"})
    assert [r for r in caplog.records if r.name == "shop.payments"] == []


def test_unknown_log_level_is_refused(app_factory):
    with pytest.raises(ConfigError, match="LOG_LEVEL"):
        app_factory(LOG_LEVEL="loud")


def test_the_secret_key_never_reaches_a_page(app, client):
    page = client.get("/").get_data(as_text=True)
    assert app.config["SECRET_KEY"] not in page
    assert app.config["PORTONE_API_SECRET"] not in page
