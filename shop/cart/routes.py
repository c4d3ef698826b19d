"""Views for the cart page and the forms that change it.

A refused quantity re-renders the page it came from with status 400 and the error under the
field; a form naming no usable product flashes the message and redirects. Either way the cart
is left as it was.
"""

from dataclasses import dataclass

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _

from shop.cart import bp
from shop.cart.contents import (
    QUANTITY_MAX,
    CartLine,
    add_to_cart,
    cart_count,
    cart_lines,
    cart_total,
    find_product,
    remove_from_cart,
    set_quantity,
)
from shop.cart.forms import QuantityForm, RemoveForm
from shop.catalog.pages import product_page
from shop.shipping import charges


@dataclass(frozen=True)
class CartRow:
    """A cart line as the page shows it, with its "Update" and "Remove" forms."""

    line: CartLine
    update: QuantityForm
    remove: RemoveForm


@bp.app_context_processor
def cart_context() -> dict:
    """The nav's cart count and the quantity limit, for every page."""
    return {"cart_count": cart_count(), "quantity_max": QUANTITY_MAX}


@bp.get("/")
def view():
    """The cart with line totals and the total, all priced from the database."""
    return _render_cart(cart_lines())


@bp.post("/add")
def add():
    """Add a quantity of a product, from the product page's form ("Add to cart")."""
    form = QuantityForm()
    try:
        product = find_product(form.product_id.data)
    except ValueError as error:
        flash(str(error), "error")
        return redirect(url_for("catalog.index"), 303)
    if form.validate_on_submit():
        try:
            add_to_cart(product, form.quantity.data)
        except ValueError as error:
            form.quantity.errors.append(str(error))
        else:
            added = _(
                "Added %(quantity)d × %(name)s to your cart.",
                quantity=form.quantity.data,
                name=product.name,
            )
            flash(added, "success")
            return redirect(url_for("cart.view"), 303)
    return product_page(product, form), 400


@bp.post("/update")
def update():
    """Set a cart line's quantity."""
    form = QuantityForm()
    lines = cart_lines()
    line = _line_named(lines, form.product_id.data)
    if line is None:
        flash(_("That product isn't in your cart."), "error")
        return redirect(url_for("cart.view"), 303)
    if form.validate_on_submit():
        try:
            set_quantity(line.product, form.quantity.data)
        except ValueError as error:
            form.quantity.errors.append(str(error))
        else:
            flash(_("%(name)s quantity updated.", name=line.product.name), "success")
            return redirect(url_for("cart.view"), 303)
    return _render_cart(lines, refused=form), 400


@bp.post("/remove")
def remove():
    """Take a product out of the cart."""
    form = RemoveForm()
    line = _line_named(cart_lines(), form.product_id.data)
    if line is None or not remove_from_cart(line.product.id):
        flash(_("That product isn't in your cart."), "error")
    else:
        flash(_("Removed %(name)s from your cart.", name=line.product.name), "success")
    return redirect(url_for("cart.view"), 303)


def _line_named(lines: list[CartLine], product_id: str | None) -> CartLine | None:
    product_id = (product_id or "").strip()
    return next((line for line in lines if str(line.product.id) == product_id), None)


def _render_cart(lines: list[CartLine], refused: QuantityForm | None = None) -> str:
    """The cart page; ``refused`` is a line's update form to show again, with its error."""
    rows = []
    for line in lines:
        product_id = line.product.id
        update = QuantityForm(formdata=None, product_id=product_id, quantity=line.quantity)
        if refused is not None and _line_named([line], refused.product_id.data):
            update = refused
        rows.append(CartRow(line, update, RemoveForm(formdata=None, product_id=product_id)))
    return render_template("cart/view.html", rows=rows, priced=charges(cart_total(lines)))
