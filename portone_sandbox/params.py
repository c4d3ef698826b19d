"""Reading a request's parameters the way PortOne does: a JSON body or a form body (arrays as
``name[]``), with the query string for GET and DELETE, and clear refusals for anything malformed.
The window reads the parameters of ``IMP.request_pay`` with the same getters."""

import json
import math
import re
from urllib.parse import urlsplit

from flask import abort, request
from werkzeug.datastructures import MultiDict

from portone_sandbox.errors import BadParameter

# The largest amount the sandbox's integer columns hold on every database (PostgreSQL's integer);
# far beyond any Kakao Pay charge.
MAX_AMOUNT = 2_147_483_647
MAX_URL = 500
FORM_MIMETYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
_INTEGER = re.compile(r"[+-]?[0-9]+")
_DECIMAL = re.compile(r"[+-]?([0-9]+\.[0-9]*|\.[0-9]+)")
_TRUE = {"true", "1", "yes", "on"}
_FALSE = {"false", "0", "no", "off"}
# U+0000 as sent raw, or as JSON's escape for it (but not an escaped backslash before "u0000").
_NUL = re.compile(r"\x00|(?<!\\)(?:\\\\)*\\u0000")
NUL_MESSAGE = "요청에 허용되지 않는 문자(U+0000)가 포함되어 있습니다."


def refuse_nul_characters() -> None:
    """Refuse U+0000 anywhere a request can carry text, before a query sees it: no PortOne
    parameter holds one, and PostgreSQL cannot store it. The body is read within the app's
    ``MAX_CONTENT_LENGTH``."""
    texts = [request.path, *_texts(request.args)]
    if request.mimetype in FORM_MIMETYPES:
        texts += _texts(request.form)
    else:
        texts.append(request.get_data(cache=True).decode("utf-8", "replace"))
    if any(_NUL.search(text) for text in texts):
        abort(400, description=NUL_MESSAGE)


def _texts(pairs: MultiDict) -> list[str]:
    return [text for name, values in pairs.lists() for text in (name, *values)]


class Params:
    """The parameters of one request, with typed, validated getters that raise ``BadParameter``."""

    def __init__(self, body: dict | MultiDict, query: MultiDict | None = None):
        self.body = body
        self.query = query if query is not None else MultiDict()

    @classmethod
    def from_request(cls) -> "Params":
        """Parse the current request's body (JSON or form) and query string."""
        return cls(_read_body(), request.args)

    def raw(self, name: str):
        """The value sent under ``name``, or None when it is absent, null or empty."""
        for source in (self.body, self.query):
            value = source.get(name)
            if value is not None and value != "":
                return value
        return None

    def string(
        self, name: str, required: bool = False, max_length: int = 1000, numbers: bool = True
    ) -> str | None:
        """Text; a whole number sent instead counts as its digits unless ``numbers`` is off."""
        value = self.raw(name)
        if value is None:
            if required:
                raise BadParameter(f"{name} 파라메터가 누락되었습니다.")
            return None
        if isinstance(value, bool) or not isinstance(value, str | int if numbers else str):
            raise BadParameter(f"{name} 파라메터는 문자열이어야 합니다.")
        value = str(value)
        if len(value) > max_length:
            raise BadParameter(f"{name} 파라메터는 {max_length}자 이하여야 합니다.")
        return value

    def strings(self, name: str, max_items: int = 100) -> list[str]:
        """An array sent as ``name[]=a&name[]=b`` (form, query) or ``{"name": [...]}`` (JSON)."""
        values: list = []
        for source in (self.body, self.query):
            if isinstance(source, MultiDict):
                values += source.getlist(f"{name}[]") + source.getlist(name)
            else:
                for key in (f"{name}[]", name):
                    value = source.get(key)
                    values += value if isinstance(value, list) else [] if value is None else [value]
        if any(isinstance(v, bool) or not isinstance(v, str | int) for v in values):
            raise BadParameter(f"{name} 파라메터는 문자열 배열이어야 합니다.")
        values = [str(v) for v in values if v != ""]
        if len(values) > max_items:
            raise BadParameter(f"{name} 파라메터는 최대 {max_items}개까지 지정할 수 있습니다.")
        return list(dict.fromkeys(values))

    def amount(
        self, name: str = "amount", required: bool = False, strings: bool = True
    ) -> int | None:
        """A KRW amount: a whole number of won, zero or more; digit strings too unless
        ``strings`` is off."""
        value = self.raw(name)
        if value is None:
            if required:
                raise BadParameter(f"{name} 파라메터가 누락되었습니다.")
            return None
        if isinstance(value, str) and not strings:
            raise BadParameter(f"{name} 파라메터는 문자열이 아닌 숫자여야 합니다.")
        number = _whole_number(name, value)
        if number < 0:
            raise BadParameter(f"{name} 파라메터는 0 이상이어야 합니다.")
        if number > MAX_AMOUNT:
            raise BadParameter(f"{name} 파라메터가 허용 범위를 넘었습니다.")
        return number

    def integer(self, name: str, default: int, minimum: int = 0, maximum: int = MAX_AMOUNT) -> int:
        value = self.raw(name)
        if value is None:
            return default
        number = _whole_number(name, value)
        if not minimum <= number <= maximum:
            raise BadParameter(f"{name} 파라메터는 {minimum} 이상 {maximum} 이하여야 합니다.")
        return number

    def boolean(self, name: str, default: bool = False) -> bool:
        value = self.raw(name)
        if value is None:
            return default
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
        raise BadParameter(f"{name} 파라메터는 true 또는 false여야 합니다.")

    def json_string(self, name: str) -> str | None:
        """A value PortOne keeps as a JSON string (``custom_data``): strings as sent, objects
        and arrays serialized."""
        value = self.raw(name)
        if value is None or isinstance(value, str):
            return value
        return json.dumps(value, ensure_ascii=False)

    def url(self, name: str, required: bool = False) -> str | None:
        """An ``http`` or ``https`` address."""
        value = self.string(name, required=required, max_length=MAX_URL)
        if value is not None and not _is_web_url(value):
            raise BadParameter(f"{name} 파라메터는 http 또는 https 주소여야 합니다.")
        return value

    def urls(self, name: str, max_items: int = 5) -> list[str]:
        """One or more ``http`` or ``https`` addresses (a string, or an array of them)."""
        values = self.strings(name, max_items=max_items)
        if not all(len(value) <= MAX_URL and _is_web_url(value) for value in values):
            raise BadParameter(f"{name} 파라메터는 http 또는 https 주소(또는 그 배열)여야 합니다.")
        return values

    def choice(self, name: str, choices: tuple[str, ...], default: str) -> str:
        value = self.string(name) or default
        if value not in choices:
            raise BadParameter(f"{name} 파라메터는 {', '.join(choices)} 중 하나여야 합니다.")
        return value


def _whole_number(name: str, value) -> int:
    if isinstance(value, bool):
        raise BadParameter(f"{name} 파라메터는 숫자여야 합니다.")
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise BadParameter(f"{name} 파라메터는 숫자여야 합니다.")
        if not value.is_integer():
            raise BadParameter(f"{name} 파라메터는 소수점 없는 정수여야 합니다.")
        return int(value)
    if isinstance(value, str):
        text = value.strip()
        if _INTEGER.fullmatch(text):
            return int(text)
        if _DECIMAL.fullmatch(text):
            raise BadParameter(f"{name} 파라메터는 소수점 없는 정수여야 합니다.")
    raise BadParameter(f"{name} 파라메터는 숫자여야 합니다.")


def _is_web_url(value: str) -> bool:
    try:
        parts = urlsplit(value)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def _read_body() -> dict | MultiDict:
    if request.mimetype in FORM_MIMETYPES:
        return request.form
    data = request.get_data(cache=True)
    # Some clients post JSON without a JSON content type; a body that opens like an object is read
    # as one.
    if not data.strip() or not (request.is_json or data.lstrip().startswith(b"{")):
        return {}
    try:
        body = json.loads(data)
    except (ValueError, RecursionError) as error:
        raise BadParameter("요청 본문이 올바른 JSON 형식이 아닙니다.") from error
    if not isinstance(body, dict):
        raise BadParameter("요청 본문은 JSON 객체여야 합니다.")
    return body
