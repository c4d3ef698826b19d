"""The forms that change the cart, and the quantity field the product page shares."""

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, IntegerField

from shop.cart.contents import parse_quantity
from shop.forms import Form


class QuantityField(IntegerField):
    """How many of a product: a whole number from 1 to ``QUANTITY_MAX``, in ASCII digits.

    Read by ``parse_quantity``, whose message becomes the field's error; ``int()`` alone would
    also take "+3", "1_0" or "٣". A missing value is an error too.
    """

    def process_formdata(self, valuelist):
        self.data = None
        self.data = parse_quantity(valuelist[0] if valuelist else None)


class QuantityForm(Form):
    """A product and how many of it: the product page's form (to the cart or to checkout) and
    each cart line's "Update"."""

    product_id = HiddenField()
    quantity = QuantityField(_l("Quantity"))


class RemoveForm(Form):
    """A cart line's "Remove" button."""

    product_id = HiddenField()
