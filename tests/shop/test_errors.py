"""Error pages: friendly HTML for people, ``{"error": ...}`` for JSON clients, never a traceback."""

import logging

import pytest
from flask import abort
from sqlalchemy import func, select

from shop.catalog.seed import seed_catalog
from shop.errors import CSRF_MESSAGE, DEEP_JSON_MESSAGE
from shop.extensions import db
from shop.models import Order
from tests.postgres import POSTGRES_URL
from tests.shop.actions import BUYER, ELSEWHERE, ShopActions
from tests.shop.apps import make_app

JSON = {"Accept": "application/json"}


@pytest.fixture
def failing_app(app_factory):
    """A shop with routes that fail on purpose, added before it serves its first request."""
    app = app_factory(PROPAGATE_EXCEPTIONS=False)

    @app.get("/boom")
    def boom():
        raise RuntimeError("the database caught fire")

    @app.get("/abort/<int:code>")
    def abort_with(code):
        abort(code)

    return app


@pytest.mark.parametrize(
    ("code", "title"),
    [
        (400, "Bad request"),
        (403, "Not allowed"),
        (404, "Page not found"),
        (405, "Not allowed here"),
        (413, "Too large"),
        (500, "Something went wrong"),
    ],
)
def test_each_error_has_a_friendly_page(failing_app, code, title):
    response = failing_app.test_client().get(f"/abort/{code}")
    assert response.status_code == code
    assert response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    assert f'<h1 class="page-title">{title}</h1>' in page
    assert f"Error {code}" in page
    assert 'href="/"' in page


@pytest.mark.parametrize("code", [400, 403, 404, 405, 413, 500])
def test_json_clients_get_json_errors(failing_app, code):
    response = failing_app.test_client().get(f"/abort/{code}", headers=JSON)
    assert response.status_code == code
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert list(body) == ["error"]
    assert isinstance(body["error"], str)
    assert body["error"]


def test_json_request_body_gets_a_json_error(client):
    response = client.post("/cart/add", json={"product_id": 1, "quantity": 1}, headers=ELSEWHERE)
    assert response.status_code == 400
    assert response.get_json() == {"error": CSRF_MESSAGE}


def test_browser_accept_header_gets_html(client):
    accept = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    response = client.get("/no-such-page", headers={"Accept": accept})
    assert response.status_code == 404
    assert response.mimetype == "text/html"


def test_unknown_page_is_404(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert "We couldn&#39;t find the page you were looking for." in response.get_data(as_text=True)


def test_unknown_product_json(client):
    response = client.get("/products/no-such-thing", headers=JSON)
    assert response.status_code == 404
    assert response.get_json() == {
        "error": "We couldn't find that product. It may have been removed."
    }


def test_405_keeps_the_allow_header(client):
    response = client.get("/cart/add")
    assert response.status_code == 405
    assert "POST" in response.headers["Allow"]
    assert "Not allowed here" in response.get_data(as_text=True)


def test_missing_csrf_token_from_elsewhere_is_a_400_page(client):
    response = client.post(
        "/cart/add", data={"product_id": "1", "quantity": "1"}, headers=ELSEWHERE
    )
    assert response.status_code == 400
    assert CSRF_MESSAGE.replace("'", "&#39;") in response.get_data(as_text=True)


def test_wrong_csrf_token_is_a_400_page(client):
    client.get("/")
    response = client.post(
        "/cart/add", data={"product_id": "1", "quantity": "1", "csrf_token": "forged"}
    )
    assert response.status_code == 400
    assert "form was tampered with" in response.get_data(as_text=True)


def test_request_too_large_is_413(app_factory):
    client = app_factory(MAX_CONTENT_LENGTH=1024).test_client()
    response = client.post("/cart/add", data={"quantity": "1" * 4096})
    assert response.status_code == 413
    assert "larger than this shop accepts" in response.get_data(as_text=True)


def test_unhandled_exception_is_logged_and_shows_a_calm_page(failing_app, caplog):
    with caplog.at_level(logging.ERROR):
        response = failing_app.test_client().get("/boom")
    assert response.status_code == 500
    page = response.get_data(as_text=True)
    assert "Something went wrong" in page
    assert "Traceback" not in page
    assert "the database caught fire" not in page
    assert any("the database caught fire" in str(record.exc_info) for record in caplog.records)


def test_unhandled_exception_json(failing_app):
    response = failing_app.test_client().get("/boom", headers=JSON)
    assert response.status_code == 500
    body = response.get_json()
    assert list(body) == ["error"]
    assert "fire" not in body["error"]


def test_abort_500_is_logged(failing_app, caplog):
    with caplog.at_level(logging.ERROR):
        failing_app.test_client().get("/abort/500")
    assert any("500 on GET /abort/500" in record.getMessage() for record in caplog.records)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def any_database_shop(request, tmp_path):
    """A seeded shop on SQLite, and on PostgreSQL, which refuses to store U+0000."""
    if request.param == "sqlite":
        app = make_app(tmp_path)
    else:
        app = make_app(tmp_path, seed=False, DATABASE_URL=POSTGRES_URL)
        with app.app_context():
            db.drop_all()
            db.create_all()
            seed_catalog()
    return ShopActions(app, app.test_client())


@pytest.mark.parametrize(
    ("method", "path", "kwargs"),
    [
        ("GET", "/products/jeju%00", {}),
        ("GET", "/orders/a%00b", {}),
        ("GET", "/orders/a%00b/pay", {}),
        ("GET", "/orders/a%00b/status", {}),
        ("GET", "/cart/?x%00=1", {}),
        ("GET", "/checkout/complete/mobile", {"query_string": {"imp_uid": "imp_\x00"}}),
        ("GET", "/checkout/complete/mobile", {"query_string": {"merchant_uid": "ord_\x00"}}),
        ("POST", "/portone/webhook", {"json": {"imp_uid": "imp_\x00"}}),
        ("POST", "/portone/webhook", {"data": {"imp_uid": "imp_\x00"}}),
        ("POST", "/portone/webhook", {"json": {"imp_uid": "imp_1", "x": [{"\x00": 1}]}}),
    ],
)
def test_a_nul_character_anywhere_is_a_clear_400(any_database_shop, method, path, kwargs):
    response = any_database_shop.client.open(path, method=method, **kwargs)
    assert response.status_code == 400
    assert "U+0000" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("path", "form"),
    [
        ("/checkout", {**BUYER, "buyer_addr": "서울\x00"}),
        ("/cart/update", {"product_id": "1", "quantity": "2\x00"}),
        ("/checkout/buy-now", {"product_id": "1", "quantity": "1", "note\x00": ""}),
    ],
)
def test_a_nul_character_in_a_form_changes_nothing(any_database_shop, path, form):
    shop = any_database_shop
    shop.post("/cart/add", {"product_id": "1", "quantity": "1"})
    response = shop.post(path, form)
    assert response.status_code == 400
    assert "U+0000" in response.get_data(as_text=True)
    assert shop.cart() == {"1": 1}
    with shop.app.app_context():
        assert db.session.scalar(select(func.count(Order.id))) == 0


@pytest.mark.parametrize("path", ["/portone/webhook", "/checkout/complete"])
def test_json_nested_too_deep_to_parse_is_a_clear_400(shop, path):
    body = b"[" * 100_000 + b"]" * 100_000
    response = shop.client.post(
        path, data=body, content_type="application/json", headers={"X-CSRFToken": shop.csrf_token()}
    )
    assert response.status_code == 400
    assert response.get_json() == {"error": DEEP_JSON_MESSAGE}
