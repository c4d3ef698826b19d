"""The refusals the sandbox answers with, each with PortOne's envelope ``code`` and HTTP status,
and the one place they (and HTTP errors under the API's paths) become that envelope."""

from flask import Flask, jsonify, request
from werkzeug.exceptions import HTTPException

# The REST API and the test controls: machine callers, who read every answer as an envelope.
API_PREFIXES = ("/payments", "/subscribe/", "/users/", "/_sandbox/")
PAGE_PREFIXES = ("/_sandbox/static/",)
NO_PAYMENT = "존재하지 않는 결제정보입니다."
HTTP_MESSAGES = {
    400: "요청을 해석할 수 없습니다.",
    404: "요청하신 API를 찾을 수 없습니다.",
    405: "지원하지 않는 요청 방식입니다.",
    413: "요청 본문이 너무 큽니다.",
    500: "일시적인 오류가 발생했습니다. 잠시 후 다시 시도해주세요.",
}


class ApiError(Exception):
    """A refusal: HTTP ``status`` with ``{"code": code, "message": message, "response": None}``."""

    status = 200
    code = 1

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class Refused(ApiError):
    """PortOne understood the request and declines it (HTTP 200, code 1)."""


class PgRefused(ApiError):
    """The PG or the key behind the request refuses it (HTTP 200, code -1)."""

    code = -1


class BadParameter(ApiError):
    """A missing or malformed parameter (HTTP 400, code 1)."""

    status = 400


class NotFound(ApiError):
    """Nothing matches what was asked for (HTTP 404, code -1)."""

    status = 404
    code = -1


class Unauthorized(ApiError):
    """No valid access token, or wrong API credentials (HTTP 401, code -1)."""

    status = 401
    code = -1

    def __init__(self, message: str = "Unauthorized"):
        super().__init__(message)


class Busy(ApiError):
    """Too many callers are already waiting (HTTP 429, code -1)."""

    status = 429
    code = -1


def register(app: Flask) -> None:
    app.register_error_handler(ApiError, refuse)
    app.register_error_handler(HTTPException, http_error)


def refuse(error: ApiError):
    return jsonify(code=error.code, message=error.message, response=None), error.status


def http_error(error: HTTPException):
    """Unknown paths and methods, malformed and oversized bodies under the API's own prefixes get
    PortOne's envelope, so clients read them as refusals; the pages keep plain error pages."""
    if not request.path.startswith(API_PREFIXES) or request.path.startswith(PAGE_PREFIXES):
        return error.get_response()
    message = HTTP_MESSAGES.get(error.code, error.name)
    if error.description != type(error).description:
        message = error.description
    elif error.code == 404 and request.path.startswith("/payments/"):
        message = NO_PAYMENT
    code = 1 if error.code in (400, 413) else -1
    headers = {key: value for key, value in error.get_headers() if key == "Allow"}
    return jsonify(code=code, message=message, response=None), error.code, headers
