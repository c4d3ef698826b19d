"""배송 메모: the common notes for the courier, offered in a list, or the buyer's own words.

A common note is stored in Korean, as the courier reads it, and shown back in the buyer's
language; the buyer's own words are stored and shown as typed.
"""

from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

# The list's value for "write my own".
OWN_WORDS = "own"
COMMON_MEMOS = {
    "door": _l("Leave it at the door"),
    "security": _l("Leave it at the security office"),
    "parcel-box": _l("Leave it in the parcel locker"),
    "call": _l("Call me before delivering"),
    "careful": _l("Fragile: please handle with care"),
}


def memo_choices() -> list[tuple[str, object]]:
    return [
        ("", _l("Choose a delivery memo (optional)")),
        *COMMON_MEMOS.items(),
        (OWN_WORDS, _l("Write my own")),
    ]


def stored_memo(choice: str, own_words: str) -> str | None:
    """What an order keeps of the buyer's choice: a common note in Korean, or their words."""
    if choice == OWN_WORDS:
        return own_words.strip() or None
    if choice in COMMON_MEMOS:
        with force_locale("ko"):
            return str(COMMON_MEMOS[choice])
    return None


def shown_memo(memo: str | None) -> str | None:
    """An order's memo in the buyer's language when it is a common note."""
    if not memo:
        return None
    for label in COMMON_MEMOS.values():
        with force_locale("ko"):
            korean = str(label)
        if memo == korean:
            return str(label)
    return memo
