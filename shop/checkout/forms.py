"""The checkout's form: the buyer's details."""

from flask_babel import lazy_gettext as _l
from wtforms import EmailField, StringField, TelField
from wtforms.validators import DataRequired, Email, Length, Regexp

from shop.forms import Form


class CheckoutForm(Form):
    """The buyer's details, sent to PortOne as ``buyer_*``."""

    buyer_name = StringField(
        _l("Name"), validators=[DataRequired(_l("Enter your name.")), Length(max=60)]
    )
    buyer_email = EmailField(
        _l("Email"),
        validators=[
            DataRequired(_l("Enter your email address.")),
            Email(_l("Enter a valid email address."), check_deliverability=False),
            Length(max=120),
        ],
    )
    buyer_tel = TelField(
        _l("Phone"),
        validators=[
            DataRequired(_l("Enter your phone number.")),
            Regexp(
                r"^0[0-9]{1,2}-?[0-9]{3,4}-?[0-9]{4}$",
                message=_l("Enter a phone number like 010-1234-5678."),
            ),
        ],
    )
    buyer_addr = StringField(
        _l("Address"),
        validators=[DataRequired(_l("Enter your delivery address.")), Length(max=200)],
    )
    buyer_postcode = StringField(
        _l("Postcode"),
        validators=[
            DataRequired(_l("Enter your postcode.")),
            Regexp(r"^[0-9]{5}$", message=_l("Enter the 5-digit postcode.")),
        ],
    )

    BUYER_FIELDS = ("buyer_name", "buyer_email", "buyer_tel", "buyer_addr", "buyer_postcode")

    def buyer(self) -> dict:
        return {name: getattr(self, name).data.strip() for name in self.BUYER_FIELDS}
