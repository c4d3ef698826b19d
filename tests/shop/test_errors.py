"""Error pages: friendly HTML for people, ``{"error": ...}`` for JSON clients, never a traceback."""

import logging

import pytest
from flask import abort

from shop.errors import CSRF_MESSAGE

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
    response = client.post("/cart/add", json={"product_id": 1, "quantity": 1})
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


def test_missing_csrf_token_is_a_400_page(client):
    response = client.post("/cart/add", data={"product_id": "1", "quantity": "1"})
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
