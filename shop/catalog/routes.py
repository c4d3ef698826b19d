"""Views for browsing the catalog."""

from flask import abort, render_template
from flask_babel import gettext as _

from shop.cart.forms import QuantityForm
from shop.catalog import bp
from shop.catalog.pages import product_page
from shop.extensions import db
from shop.models import Product


@bp.get("/")
def index():
    """Every product, in the order they were added."""
    products = db.session.scalars(db.select(Product).order_by(Product.id)).all()
    return render_template("catalog/index.html", products=products)


@bp.get("/products/<slug>")
def detail(slug: str):
    """One product, with "Add to cart" and "Buy now with Kakao Pay"."""
    product = db.session.scalar(db.select(Product).filter_by(slug=slug))
    if product is None:
        abort(404, description=_("We couldn't find that product. It may have been removed."))
    return product_page(product, QuantityForm(formdata=None, product_id=product.id, quantity=1))
