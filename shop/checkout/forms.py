"""The checkout's form: the buyer, the delivery and the consent to pay."""

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, SelectField, StringField, TelField
from wtforms.validators import (
    DataRequired,
    Email,
    InputRequired,
    Length,
    Optional,
    Regexp,
    ValidationError,
)

from shop.checkout.delivery import OWN_WORDS, memo_choices, stored_memo
from shop.forms import Form
from shop.phones import KoreanPhone


class CheckoutForm(Form):
    """The buyer's details, sent to PortOne as ``buyer_*``, and where the order goes."""

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
        validators=[DataRequired(_l("Enter your phone number.")), KoreanPhone()],
    )
    same_as_buyer = BooleanField(_l("Same as buyer"), default=True)
    # Checked by their validate_ methods, and only when the recipient is not the buyer: with
    # "Same as buyer" ticked these fields are hidden and not used.
    recipient_name = StringField(_l("Recipient's name"))
    recipient_tel = TelField(_l("Recipient's phone"))
    buyer_postcode = StringField(
        _l("Postcode"),
        validators=[
            DataRequired(_l("Enter your postcode.")),
            Regexp(r"^[0-9]{5}$", message=_l("Enter the 5-digit postcode.")),
        ],
    )
    buyer_addr = StringField(
        _l("Address"),
        validators=[DataRequired(_l("Enter your delivery address.")), Length(max=200)],
    )
    address_detail = StringField(_l("Address detail"), validators=[Optional(), Length(max=100)])
    memo_choice = SelectField(
        _l("Delivery memo"), choices=memo_choices, validators=[Optional()], default=""
    )
    # Used, and checked, only with "Write my own" chosen: the page hides it otherwise.
    memo_own_words = StringField(_l("Your delivery memo"))
    consent = BooleanField(
        _l("I agree to the terms of purchase and the payment"),
        validators=[
            InputRequired(_l("Agree to the terms of purchase and the payment to continue."))
        ],
    )

    BUYER_FIELDS = ("buyer_name", "buyer_email", "buyer_tel", "buyer_addr", "buyer_postcode")
    # What an order keeps of the form (and a retry copies): the buyer and the delivery.
    ORDER_FIELDS = (
        *BUYER_FIELDS,
        "address_detail",
        "recipient_name",
        "recipient_tel",
        "delivery_memo",
    )

    def validate_recipient_name(self, field) -> None:
        if self.same_as_buyer.data:
            return
        if not (field.data or "").strip():
            raise ValidationError(_l('Enter the recipient\'s name, or tick "Same as buyer".'))
        Length(max=60)(self, field)

    def validate_recipient_tel(self, field) -> None:
        if self.same_as_buyer.data:
            return
        if not (field.data or "").strip():
            raise ValidationError(
                _l('Enter the recipient\'s phone number, or tick "Same as buyer".')
            )
        KoreanPhone()(self, field)

    def validate_memo_own_words(self, field) -> None:
        if self.memo_choice.data != OWN_WORDS:
            return
        if not (field.data or "").strip():
            raise ValidationError(_l("Write your delivery memo, or choose one from the list."))
        Length(max=100)(self, field)

    def buyer(self) -> dict:
        return {name: getattr(self, name).data.strip() for name in self.BUYER_FIELDS}

    def order_fields(self) -> dict:
        """The order's buyer and delivery fields, as ``place_order`` takes them."""
        buyer = self.buyer()
        same = self.same_as_buyer.data
        return {
            **buyer,
            "address_detail": (self.address_detail.data or "").strip() or None,
            "recipient_name": buyer["buyer_name"] if same else self.recipient_name.data.strip(),
            "recipient_tel": buyer["buyer_tel"] if same else self.recipient_tel.data.strip(),
            "delivery_memo": stored_memo(self.memo_choice.data, self.memo_own_words.data or ""),
        }
