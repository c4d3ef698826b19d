"""The product page, shown by the catalog and shown again by both of its form's buttons."""

from flask import render_template

from shop.models import Product


def product_page(product: Product, form) -> str:
    """The product's page with its purchase form (a ``QuantityForm``) as given.

    "Add to cart" and "Buy now with Kakao Pay" send the same form to different views; both
    answer a refused quantity with this page, the error under the field.
    """
    return render_template("catalog/detail.html", product=product, form=form)


def page_numbers(current: int, last: int, around: int = 2) -> list[int | None]:
    """The page numbers the catalog links to: the first, the last, and ``around`` either side of
    the current one, with None where numbers are left out."""
    shown = sorted(
        {1, last, *range(current - around, current + around + 1)} & set(range(1, last + 1))
    )
    numbers: list[int | None] = []
    for number in shown:
        if numbers and number - numbers[-1] > 1:
            numbers.append(None)
        numbers.append(number)
    return numbers
