"""What is in the cart, and the rules for changing it.

The session holds only product ids and quantities; names and prices are read from the database
each time, so a price change shows up in the cart and the shopper can't edit what they pay.
"""

import re
from dataclasses import dataclass

from flask import session
from flask_babel import gettext as _

from shop.extensions import db
from shop.models import Product

QUANTITY_MAX = 99
SESSION_KEY = "cart"

# ASCII digits only: str.isdigit() would also accept "²" and "٣", which int() half understands.
_WHOLE_NUMBER = re.compile(r"[0-9]{1,3}")


@dataclass(frozen=True)
class CartLine:
    """A product in the cart and how many of it, priced from the database."""

    product: Product
    quantity: int

    @property
    def line_total(self) -> int:
        return self.product.price * self.quantity


def parse_quantity(value: object) -> int:
    """Read a submitted quantity as a whole number from 1 to ``QUANTITY_MAX``.

    Raises ``ValueError`` with a message that can be shown to the shopper as it is.
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        raise ValueError(_("Enter a quantity from 1 to %(max)d.", max=QUANTITY_MAX))
    invalid = ValueError(_("Quantity must be a whole number from 1 to %(max)d.", max=QUANTITY_MAX))
    if isinstance(value, bool):
        raise invalid
    if isinstance(value, int):
        number = value
    elif isinstance(value, str) and _WHOLE_NUMBER.fullmatch(value.strip()):
        number = int(value.strip())
    else:
        raise invalid
    if not 1 <= number <= QUANTITY_MAX:
        raise invalid
    return number


def find_product(value: object) -> Product:
    """The product a form's ``product_id`` names; ``ValueError`` with a message if there is none."""
    if value is None or (isinstance(value, str) and not value.strip()):
        raise ValueError(_("No product was chosen."))
    text = str(value).strip()
    product = db.session.get(Product, int(text)) if re.fullmatch(r"[0-9]{1,9}", text) else None
    if product is None:
        raise ValueError(_("That product isn't available."))
    return product


def check_stock(product: Product, quantity: int) -> None:
    """Raise ``ValueError`` with a message if ``quantity`` of ``product`` can't be sold now."""
    if product.stock <= 0:
        raise ValueError(_("Sorry, %(name)s is out of stock.", name=product.name))
    if quantity > product.stock:
        raise ValueError(
            _("Only %(stock)d of %(name)s left in stock.", stock=product.stock, name=product.name)
        )


def cart_lines() -> list[CartLine]:
    """The cart's lines in a stable order, skipping products that no longer exist."""
    cart = _read_cart()
    if not cart:
        return []
    ids = [int(key) for key in cart]
    products = db.session.scalars(db.select(Product).where(Product.id.in_(ids))).all()
    lines = [
        CartLine(product, cart[str(product.id)])
        for product in sorted(products, key=lambda product: product.id)
    ]
    if len(lines) != len(cart):
        # Forget deleted products too, so the count in the nav matches what the cart shows.
        _write_cart({str(line.product.id): line.quantity for line in lines})
    return lines


def cart_total(lines: list[CartLine]) -> int:
    """What the lines cost together, in KRW."""
    return sum(line.line_total for line in lines)


def cart_count() -> int:
    """How many items the cart holds, for the nav."""
    return sum(_read_cart().values())


def add_to_cart(product: Product, quantity: int) -> int:
    """Add ``quantity`` of ``product``; return the new quantity in the cart.

    Raises ``ValueError`` with a message, leaving the cart as it was, when the total would pass
    the per-product limit or the stock.
    """
    cart = _read_cart()
    key = str(product.id)
    in_cart = cart.get(key, 0)
    total = in_cart + quantity
    if total > QUANTITY_MAX:
        raise ValueError(
            _(
                "You can have at most %(max)d of one product in your cart "
                "(you already have %(in_cart)d).",
                max=QUANTITY_MAX,
                in_cart=in_cart,
            )
        )
    if in_cart and 0 < product.stock < total:
        raise ValueError(
            _(
                "Only %(stock)d of %(name)s left in stock, and %(in_cart)d already in your cart.",
                stock=product.stock,
                name=product.name,
                in_cart=in_cart,
            )
        )
    check_stock(product, total)
    cart[key] = total
    _write_cart(cart)
    return total


def set_quantity(product: Product, quantity: int) -> None:
    """Change how many of ``product`` the cart holds; ``ValueError`` with a message if it can't."""
    cart = _read_cart()
    key = str(product.id)
    if key not in cart:
        raise ValueError(_("That product isn't in your cart."))
    check_stock(product, quantity)
    cart[key] = quantity
    _write_cart(cart)


def remove_from_cart(product_id: int) -> bool:
    """Take a product out of the cart; ``False`` if it wasn't there."""
    cart = _read_cart()
    if cart.pop(str(product_id), None) is None:
        return False
    _write_cart(cart)
    return True


def clear_cart() -> None:
    """Empty the cart, e.g. once its order is paid."""
    session.pop(SESSION_KEY, None)


def _read_cart() -> dict[str, int]:
    """A copy of the session's cart, keeping only well-formed entries."""
    stored = session.get(SESSION_KEY)
    if not isinstance(stored, dict):
        return {}
    return {
        key: quantity
        for key, quantity in stored.items()
        if isinstance(key, str)
        and key.isascii()
        and key.isdigit()
        and type(quantity) is int
        and 1 <= quantity <= QUANTITY_MAX
    }


def _write_cart(cart: dict[str, int]) -> None:
    # A new dict each time, so the session notices the change and sends the cookie.
    session[SESSION_KEY] = dict(cart)
