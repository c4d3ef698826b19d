"""The guest's cart, kept in the session as ``{"<product_id>": quantity}``.

The checkout imports the helpers below; prices always come from the database, never the session.
"""

from flask import Blueprint

from shop.cart.contents import (
    QUANTITY_MAX,
    CartLine,
    add_to_cart,
    cart_count,
    cart_lines,
    cart_total,
    check_stock,
    clear_cart,
    find_product,
    parse_quantity,
    remove_from_cart,
    set_quantity,
)

bp = Blueprint("cart", __name__, url_prefix="/cart")

from shop.cart import routes  # noqa: E402, F401  (registers the views on bp)

__all__ = [
    "QUANTITY_MAX",
    "CartLine",
    "add_to_cart",
    "bp",
    "cart_count",
    "cart_lines",
    "cart_total",
    "check_stock",
    "clear_cart",
    "find_product",
    "parse_quantity",
    "remove_from_cart",
    "set_quantity",
]
