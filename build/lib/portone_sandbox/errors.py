"""The refusals the sandbox answers with, each with PortOne's envelope ``code`` and HTTP status."""


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
