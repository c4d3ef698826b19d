"""One form per action of the account pages; the product page's purchase forms."""

from flask_babel import lazy_gettext as _l
from wtforms import EmailField, HiddenField, PasswordField, StringField
from wtforms.validators import DataRequired, Email, Length, ValidationError

from shop.cart import find_product
from shop.cart.forms import QuantityForm
from shop.checkout.forms import CheckoutForm
from shop.forms import Form

# NIST SP 800-63B: at least 8 characters, and long passphrases allowed.
PASSWORD_MIN = 8
PASSWORD_MAX = 128


def _email_field() -> EmailField:
    return EmailField(
        _l("Email"),
        validators=[
            DataRequired(_l("Enter your email address.")),
            Email(_l("Enter a valid email address."), check_deliverability=False),
            Length(max=120),
        ],
        filters=[lambda value: value.strip().lower() if isinstance(value, str) else value],
    )


class SignUpForm(Form):
    name = StringField(
        _l("Name"), validators=[DataRequired(_l("Enter your name.")), Length(max=60)]
    )
    email = _email_field()
    password = PasswordField(
        _l("Password"),
        validators=[
            DataRequired(_l("Choose a password.")),
            # Length fills in %(min)d and %(max)d.
            Length(
                min=PASSWORD_MIN,
                max=PASSWORD_MAX,
                message=_l("Use %(min)d to %(max)d characters."),
            ),
        ],
    )


class LogInForm(Form):
    email = _email_field()
    password = PasswordField(
        _l("Password"),
        validators=[DataRequired(_l("Enter your password.")), Length(max=PASSWORD_MAX)],
    )


class DeliveryForm(Form):
    """The saved delivery details, checked exactly as the checkout checks them."""

    buyer_name = CheckoutForm.buyer_name
    buyer_tel = CheckoutForm.buyer_tel
    same_as_buyer = CheckoutForm.same_as_buyer
    recipient_name = CheckoutForm.recipient_name
    recipient_tel = CheckoutForm.recipient_tel
    buyer_addr = CheckoutForm.buyer_addr
    address_detail = CheckoutForm.address_detail
    buyer_postcode = CheckoutForm.buyer_postcode

    validate_recipient_name = CheckoutForm.validate_recipient_name
    validate_recipient_tel = CheckoutForm.validate_recipient_tel

    def recipient(self) -> tuple[str | None, str | None]:
        """The recipient's name and phone to save: None for both when it is the buyer."""
        if self.same_as_buyer.data:
            return None, None
        return self.recipient_name.data.strip(), self.recipient_tel.data.strip()


class PurchaseForm(QuantityForm):
    """A product and a quantity, from the product page's purchase buttons, read by the cart's
    own rules (and messages). After validation ``product`` is the product and
    ``quantity.data`` an int."""

    product = None

    def validate_product_id(self, field) -> None:
        try:
            self.product = find_product(field.data)
        except ValueError as exc:
            raise ValidationError(str(exc)) from exc


class OneClickForm(PurchaseForm):
    """ "Buy now with saved Kakao Pay": the purchase and the one-time key the page was given."""

    purchase_key = HiddenField(validators=[DataRequired(_l("Reload the page and try again."))])
