"""The admin pages' forms: the orders page's search, and a refund."""

import re

from flask_wtf import FlaskForm
from wtforms import (
    HiddenField,
    IntegerField,
    SearchField,
    SelectChoice,
    SelectField,
    StringField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError

from shop.admin.words import STATUS_LABELS
from shop.format import won

# Beyond any shop's orders, and within what every database takes as an OFFSET.
PAGES_MAX = 1_000_000

# ASCII digits only: int() would also read "１０００" or "١٠٠٠".
_WON = re.compile(r"[0-9]{1,10}")


class OrderSearchForm(FlaskForm):
    """Which orders the orders page lists: a search, a status, a page."""

    class Meta:
        # A GET that changes nothing: a CSRF token would only leak into URLs and logs.
        csrf = False

    q = SearchField(
        "Search",
        validators=[Optional(), Length(max=120, message="Search for at most 120 characters.")],
        filters=[lambda value: value.strip() if isinstance(value, str) else value],
    )
    status = SelectField(
        "Status",
        choices=[
            SelectChoice("", "Any status"),
            *(SelectChoice(status, label) for status, label in STATUS_LABELS.items()),
        ],
        default="",
    )
    page = IntegerField(
        "Page",
        default=1,
        validators=[
            Optional(),
            NumberRange(
                min=1, max=PAGES_MAX, message=f"Pages are numbered from 1 to {PAGES_MAX:,}."
            ),
        ],
    )


class RefundForm(FlaskForm):
    """Refund part or all of what is left of a paid order's payment.

    ``refundable`` is the balance the shop believes is left; after validation ``amount.data``
    and ``balance.data`` are ints.
    """

    amount = StringField("Amount to refund (won)")
    reason = StringField(
        "Reason",
        validators=[
            DataRequired("Say why you refund: the buyer sees it, and PortOne records it."),
            Length(max=200, message="Keep the reason to 200 characters."),
        ],
        filters=[lambda value: value.strip() if isinstance(value, str) else value],
    )
    # The balance the page showed; a refund made since then makes it stale.
    balance = HiddenField(validators=[DataRequired("Reload the page and try again.")])

    def __init__(self, refundable: int, **kwargs):
        super().__init__(**kwargs)
        self.refundable = refundable

    def validate_amount(self, field) -> None:
        text = (field.data or "").strip()
        if not _WON.fullmatch(text):
            raise ValidationError("Enter the amount in won, in digits only (e.g. 5000).")
        amount = int(text)
        if not 1 <= amount <= self.refundable:
            raise ValidationError(
                f"Refund from 1원 to {won(self.refundable)}, what is left of the payment."
            )
        field.data = amount

    def validate_balance(self, field) -> None:
        if not _WON.fullmatch(field.data or ""):
            raise ValidationError("Reload the page and try again.")
        field.data = int(field.data)
