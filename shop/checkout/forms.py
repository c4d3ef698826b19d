from flask_wtf import FlaskForm
from wtforms import EmailField, StringField, TelField
from wtforms.validators import DataRequired, Email, Length, Regexp


class CheckoutForm(FlaskForm):
    """The buyer's details, sent to PortOne as ``buyer_*``."""

    buyer_name = StringField("Name", validators=[DataRequired("Enter your name."), Length(max=60)])
    buyer_email = EmailField(
        "Email",
        validators=[
            DataRequired("Enter your email address."),
            Email("Enter a valid email address.", check_deliverability=False),
            Length(max=120),
        ],
    )
    buyer_tel = TelField(
        "Phone",
        validators=[
            DataRequired("Enter your phone number."),
            Regexp(
                r"^0[0-9]{1,2}-?[0-9]{3,4}-?[0-9]{4}$",
                message="Enter a phone number like 010-1234-5678.",
            ),
        ],
    )
    buyer_addr = StringField(
        "Address", validators=[DataRequired("Enter your delivery address."), Length(max=200)]
    )
    buyer_postcode = StringField(
        "Postcode",
        validators=[
            DataRequired("Enter your postcode."),
            Regexp(r"^[0-9]{5}$", message="Enter the 5-digit postcode."),
        ],
    )

    BUYER_FIELDS = ("buyer_name", "buyer_email", "buyer_tel", "buyer_addr", "buyer_postcode")

    def buyer(self) -> dict:
        return {name: getattr(self, name).data.strip() for name in self.BUYER_FIELDS}
