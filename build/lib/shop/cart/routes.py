"""Views for the cart page and the forms that change it.

A bad quantity re-renders the page it came from with status 400 and the message beside the
field; a form naming no usable product flashes the message and redirects. Either way the cart
is left as it was.
"""

from flask import flash, redirect, render_template, request, url_for

from shop.cart import bp
from shop.cart.contents import (
    QUANTITY_MAX,
    CartLine,
    add_to_cart,
    cart_count,
    cart_lines,
    cart_total,
    find_product,
    parse_quantity,
    remove_from_cart,
    set_quantity,
)


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
    """Add a quantity of a product, from the product page's "Add to cart" form."""
    try:
        product = find_product(request.form.get("product_id"))
    except ValueError as error:
        flash(str(error), "error")
        return redirect(url_for("catalog.index"), 303)
    submitted = request.form.get("quantity", "")
    try:
        quantity = parse_quantity(submitted)
        add_to_cart(product, quantity)
    except ValueError as error:
        page = render_template(
            "catalog/detail.html",
            product=product,
            quantity=submitted,
            quantity_error=str(error),
        )
        return page, 400
    flash(f"Added {quantity} × {product.name} to your cart.", "success")
    return redirect(url_for("cart.view"), 303)


@bp.post("/update")
def update():
    """Set a cart line's quantity."""
    lines = cart_lines()
    line = _line_named_by_form(lines)
    if line is None:
        flash("That product isn't in your cart.", "error")
        return redirect(url_for("cart.view"), 303)
    submitted = request.form.get("quantity", "")
    try:
        set_quantity(line.product, parse_quantity(submitted))
    except ValueError as error:
        errors = {line.product.id: str(error)}
        return _render_cart(lines, errors=errors, submitted={line.product.id: submitted}), 400
    flash(f"{line.product.name} quantity updated.", "success")
    return redirect(url_for("cart.view"), 303)


@bp.post("/remove")
def remove():
    """Take a product out of the cart."""
    line = _line_named_by_form(cart_lines())
    if line is None or not remove_from_cart(line.product.id):
        flash("That product isn't in your cart.", "error")
    else:
        flash(f"Removed {line.product.name} from your cart.", "success")
    return redirect(url_for("cart.view"), 303)


def _line_named_by_form(lines: list[CartLine]) -> CartLine | None:
    product_id = request.form.get("product_id", "").strip()
    return next((line for line in lines if str(line.product.id) == product_id), None)


def _render_cart(
    lines: list[CartLine],
    errors: dict[int, str] | None = None,
    submitted: dict[int, str] | None = None,
) -> str:
    return render_template(
        "cart/view.html",
        lines=lines,
        total=cart_total(lines),
        errors=errors or {},
        submitted=submitted or {},
    )
