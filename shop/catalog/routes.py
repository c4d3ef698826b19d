"""Views for browsing the catalog."""

import re

from flask import abort, current_app, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import or_

from shop.cart.forms import QuantityForm
from shop.catalog import bp
from shop.catalog.cache import cached_page
from shop.catalog.forms import SearchForm
from shop.catalog.pages import page_numbers, product_page
from shop.extensions import db
from shop.models import Product

# A page number as the catalog's links write it: ASCII digits from 1, short enough that any
# database takes the OFFSET it makes.
PAGE_NUMBER = re.compile(r"[1-9][0-9]{0,8}")


@bp.get("/")
@cached_page
def index():
    """The products in the order they were added, a page at a time, those matching the search
    box's words only. A page past the last goes to the last."""
    form = SearchForm(formdata=request.args)
    raw = request.args.get("page", "1")
    if not PAGE_NUMBER.fullmatch(raw):
        abort(404, description=_("There is no such page of products: pages are numbered from 1."))
    if not form.validate():
        return render_template("catalog/index.html", form=form, page=None), 400
    query = db.select(Product).order_by(Product.id)
    if form.q.data:
        query = query.where(
            or_(
                Product.name.icontains(form.q.data, autoescape=True),
                Product.description.icontains(form.q.data, autoescape=True),
            )
        )
    per_page = current_app.config["CATALOG_PAGE_SIZE"]
    page = db.paginate(query, page=int(raw), per_page=per_page, error_out=False)
    if page.page > 1 and page.page > page.pages:
        return redirect(url_for(".index", q=form.q.data or None, page=_page_arg(page.pages)))
    return render_template(
        "catalog/index.html",
        form=form,
        page=page,
        numbers=page_numbers(page.page, page.pages),
        page_arg=_page_arg,
    )


def _page_arg(number: int) -> int | None:
    """The ``page`` argument of a link to page ``number``: none for the first page."""
    return number if number > 1 else None


@bp.get("/products/<slug>")
@cached_page
def detail(slug: str):
    """One product, with "Add to cart" and "Buy now with Kakao Pay"."""
    product = db.session.scalar(db.select(Product).filter_by(slug=slug))
    if product is None:
        abort(404, description=_("We couldn't find that product. It may have been removed."))
    return product_page(product, QuantityForm(formdata=None, product_id=product.id, quantity=1))
