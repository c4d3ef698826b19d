"""The admin pages' forms: the orders page's search, and a refund."""

import re

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    HiddenField,
    IntegerField,
    SelectChoice,
    SelectField,
    StringField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError

from shop.format import won
from shop.forms import QueryForm, search_field
from shop.statuses import STATUS_LABELS

# Beyond any shop's orders, and within what every database takes as an OFFSET.
PAGES_MAX = 1_000_000
PAGES_MAX_SHOWN = f"{PAGES_MAX:,}"

# ASCII digits only: int() would also read "１０００" or "١٠٠٠".
_WON = re.compile(r"[0-9]{1,10}")


class OrderSearchForm(QueryForm):
    """Which orders the orders page lists: a search, a status, a page."""

    q = search_field(max_length=120)
    status = SelectField(
        _l("Status"),
        choices=[
            SelectChoice("", _l("Any status")),
            *(SelectChoice(status, label) for status, label in STATUS_LABELS.items()),
        ],
        default="",
    )
    page = IntegerField(
        _l("Page"),
        default=1,
        validators=[
            Optional(),
            NumberRange(
                min=1,
                max=PAGES_MAX,
                message=_l("Pages are numbered from 1 to %(max)s.", max=PAGES_MAX_SHOWN),
            ),
        ],
    )


class RefundForm(FlaskForm):
    """Refund part or all of what is left of a paid order's payment.

    ``refundable`` is the balance the shop believes is left; after validation ``amount.data``
    and ``balance.data`` are ints.
    """

    amount = StringField(_l("Amount to refund (won)"))
    reason = StringField(
        _l("Reason"),
        validators=[
            DataRequired(_l("Say why you refund: the buyer sees it, and PortOne records it.")),
            Length(max=200, message=_l("Keep the reason to %(max)d characters.")),
        ],
        filters=[lambda value: value.strip() if isinstance(value, str) else value],
    )
    # The balance the page showed; a refund made since then makes it stale.
    balance = HiddenField(validators=[DataRequired(_l("Reload the page and try again."))])

    def __init__(self, refundable: int, **kwargs):
        super().__init__(**kwargs)
        self.refundable = refundable

    def validate_amount(self, field) -> None:
        text = (field.data or "").strip()
        if not _WON.fullmatch(text):
            raise ValidationError(_("Enter the amount in won, in digits only (e.g. 5000)."))
        amount = int(text)
        if not 1 <= amount <= self.refundable:
            raise ValidationError(
                _(
                    "Refund from 1원 to %(left)s, what is left of the payment.",
                    left=won(self.refundable),
                )
            )
        field.data = amount

    def validate_balance(self, field) -> None:
        if not _WON.fullmatch(field.data or ""):
            raise ValidationError(_("Reload the page and try again."))
        field.data = int(field.data)
