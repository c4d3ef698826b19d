"""Korean phone numbers as buyers type them, stored one way: ``010-1234-5678``.

Buyers type ``+82 10 1234 5678``, ``010 1234 5678``, ``010.1234.5678`` or ``01012345678``;
couriers and Kakao Pay read the dashed national form, so that is what an order keeps.
"""

import re

from flask_babel import lazy_gettext as _l
from wtforms.validators import ValidationError

# What people put between digits, and around the area code.
_SEPARATORS = re.compile(r"[\s.\-()]")
# Seoul's area code is 02; every other one (mobile 01x, regions 0xx, 050x, 070) has three digits.
_SEOUL = re.compile(r"(02)([0-9]{3,4})([0-9]{4})")
_OTHER = re.compile(r"(0[13-9][0-9])([0-9]{3,4})([0-9]{4})")
# Mobile numbers given since 2004 (010) always have four digits in the middle.
_MOBILE = re.compile(r"010[0-9]{8}")

INVALID = _l("Enter a phone number like 010-1234-5678.")


def normalise_phone(text: str) -> str:
    """``text`` as ``0XX-XXXX-XXXX`` (``02-XXX-XXXX`` in Seoul); ``ValueError`` if it is not a
    Korean phone number."""
    digits = _SEPARATORS.sub("", text.strip())
    if digits.startswith("+82"):
        # The country code replaces the leading 0, though some type it as well: +82 010…
        digits = "0" + digits[3:].removeprefix("0")
    if not digits.isascii() or not digits.isdigit():
        raise ValueError(str(INVALID))
    if digits.startswith("010") and not _MOBILE.fullmatch(digits):
        raise ValueError(str(INVALID))
    match = _SEOUL.fullmatch(digits) or _OTHER.fullmatch(digits)
    if match is None:
        raise ValueError(str(INVALID))
    return "-".join(match.groups())


class KoreanPhone:
    """A WTForms validator that refuses what is not a phone number and stores the rest
    normalised (``normalise_phone``). An empty field is left to ``DataRequired``/``Optional``."""

    def __call__(self, form, field) -> None:
        if not field.data or not field.data.strip():
            return
        try:
            field.data = normalise_phone(field.data)
        except ValueError as exc:
            raise ValidationError(str(exc)) from exc
