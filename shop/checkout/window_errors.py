"""What the shop tells the buyer when Kakao Pay's window reports an error, by its ``error_code``,
and about a try that failed, by PortOne's record of it.

On a phone the error comes back in the redirect's query string, which anyone can write: its
``error_msg`` is never shown as the shop's words. Codes as PortOne's window gives them.
"""

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

MESSAGES = {
    "F0001": _l("You cancelled the Kakao Pay payment. Nothing was charged."),
    "F0002": _l("Kakao Pay did not approve the payment. Nothing was charged."),
    "F400": _l("Kakao Pay could not start: the payment request was incomplete. Please try again."),
    "F401": _l("Kakao Pay is not set up for this shop. Nothing was charged."),
    "F1002": _l("This order has already been paid."),
    "F1003": _l(
        "The amount did not match this order, so Kakao Pay did not open. Nothing was charged."
    ),
    "F1004": _l("A Kakao Pay window is already open. Finish or close it first."),
}
UNKNOWN = _l("Kakao Pay could not start the payment. Nothing was charged.")


def window_error(error_code) -> str:
    """The shop's own text for ``error_code``; a general one for a code it does not know."""
    message = MESSAGES.get(error_code, UNKNOWN) if isinstance(error_code, str) else UNKNOWN
    return str(message)


# PortOne's fail_reason for a window the buyer closed.
USER_CANCELLED = "사용자가 결제를 취소하셨습니다"


def failed_try(fail_reason: str | None) -> str:
    """What the buyer is told about their latest try, from PortOne's ``fail_reason`` of it."""
    if fail_reason and USER_CANCELLED in fail_reason:
        return str(MESSAGES["F0001"])
    if fail_reason:
        return _(
            "Kakao Pay did not approve the payment: %(reason)s Nothing was charged.",
            reason=sentence(fail_reason),
        )
    return str(MESSAGES["F0002"])


def sentence(text: str) -> str:
    """``text`` ending with one full stop, to be followed by the shop's own words."""
    return text.rstrip(" .") + "."
