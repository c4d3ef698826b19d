"""The product page, shown by the catalog and shown again by both of its form's buttons."""

from flask import render_template

from shop.models import Product


def product_page(product: Product, form) -> str:
    """The product's page with its purchase form (a ``QuantityForm``) as given.

    "Add to cart" and "Buy now with Kakao Pay" send the same form to different views; both
    answer a refused quantity with this page, the error under the field.
    """
    return render_template("catalog/detail.html", product=product, form=form)
