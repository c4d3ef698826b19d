"""Configuration: the modes, where PortOne is, and the guards of live mode."""

import pytest

from shop.config import ConfigError

LIVE = {
    "PORTONE_MODE": "live",
    "SECRET_KEY": "a-real-secret",
    "PORTONE_IMP_CODE": "imp12345678",
    "PORTONE_API_KEY": "live-key",
    "PORTONE_API_SECRET": "live-secret",
}


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


@pytest.mark.parametrize("missing", ["SECRET_KEY", "PORTONE_IMP_CODE", "PORTONE_API_KEY"])
def test_live_mode_refuses_to_start_without_its_settings(app_factory, missing, monkeypatch):
    monkeypatch.delenv(missing, raising=False)
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


def test_environment_overrides_the_defaults(app_factory, monkeypatch):
    monkeypatch.setenv("PORTONE_IMP_CODE", "imp99999999")
    monkeypatch.setenv("PORTONE_WEBHOOK_URL", "http://127.0.0.1:5000/portone/webhook")
    app = app_factory()
    assert app.config["PORTONE_IMP_CODE"] == "imp99999999"
    assert app.config["PORTONE_WEBHOOK_URL"] == "http://127.0.0.1:5000/portone/webhook"


def test_the_secret_key_never_reaches_a_page(app, client):
    page = client.get("/").get_data(as_text=True)
    assert app.config["SECRET_KEY"] not in page
    assert app.config["PORTONE_API_SECRET"] not in page
