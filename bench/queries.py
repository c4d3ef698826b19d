"""SQL queries per page of the shop, with 10 products and with 1,000.

Runs the shop in-process (Flask's test client, sandbox mode, SQLite in a temporary folder) and
counts the statements its database engine executes for each page, as a first visit, a buyer
with a cart, a buyer with an order and a logged-in buyer see it. The pages are made afresh
(``NullCache``); the catalog and product pages a first visit gets from the page cache are
counted too, as served from it. The count at 1,000 products over the count at 10 shows which
pages grow with the catalog (none should).

    .venv/bin/python bench/queries.py
"""

import sys
import tempfile
import warnings
from pathlib import Path

from sqlalchemy import event

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.support.server import add_products
from shop.extensions import db
from tests.shop.account_actions import save_details, sign_up
from tests.shop.actions import ShopActions
from tests.shop.apps import make_app

SLUG = "jeju-green-tea"


class QueryCounter:
    """Counts the statements the shop's engine executes."""

    def __init__(self, app):
        self.count = 0
        with app.app_context():
            event.listen(db.engine, "before_cursor_execute", self._executed)

    def _executed(self, *args):
        self.count += 1

    def of(self, client, path: str) -> int:
        before = self.count
        response = client.get(path)
        if response.status_code != 200:
            raise SystemExit(f"{path} answered {response.status_code}")
        return self.count - before


def shop(products: int, cache: str):
    # NullCache warns that it caches nothing, which is the point here.
    warnings.filterwarnings("ignore", "Flask-Caching: CACHE_TYPE is set to NullCache")
    app = make_app(Path(tempfile.mkdtemp()), CACHE_TYPE=cache)
    with app.app_context():
        add_products(products)
    return app


def queries(products: int) -> dict[str, int]:
    """Statements per page, page name → count, in a shop of ``products`` products."""
    app = shop(products, "NullCache")
    last_page = -(-products // app.config["CATALOG_PAGE_SIZE"])
    counter = QueryCounter(app)
    first = app.test_client()
    counts = {"catalog's size in KB (not a count)": len(first.get("/").data) // 1024}
    for name, path in (
        ("catalog, first visit", "/"),
        ("catalog's last page, first visit", f"/?page={last_page}"),
        ("catalog search, first visit", "/?q=%EB%85%B9%EC%B0%A8"),
        ("product page, first visit", f"/products/{SLUG}"),
        ("plans, first visit", "/plans"),
        ("find your order, first visit", "/orders/find"),
    ):
        counts[name] = counter.of(first, path)

    buyer = ShopActions(app, app.test_client())
    buyer.add_to_cart(SLUG, 2)
    for name, path in (
        ("catalog, buyer with a cart", "/"),
        ("product page, buyer with a cart", f"/products/{SLUG}"),
        ("cart", "/cart/"),
        ("checkout", "/checkout"),
    ):
        counts[name] = counter.of(buyer.client, path)
    placed = buyer.place(quantity=1, slug=SLUG)
    counts["order's payment page"] = counter.of(buyer.client, f"/orders/{placed.token}/pay")
    counts["order page"] = counter.of(buyer.client, f"/orders/{placed.token}")

    member = ShopActions(app, app.test_client())
    sign_up(member)
    save_details(member)
    for name, path in (
        ("catalog, logged in", "/"),
        ("product page, logged in", f"/products/{SLUG}"),
        ("account", "/account/"),
        ("my orders", "/account/orders"),
    ):
        counts[name] = counter.of(member.client, path)

    cached = shop(products, "SimpleCache")
    counter = QueryCounter(cached)
    visitor = cached.test_client()
    for name, path in (
        ("catalog, first visit, cached", "/"),
        (
            "product page, first visit, cached",
            f"/products/{SLUG}",
        ),
    ):
        counter.of(visitor, path)
        counts[name] = counter.of(visitor, path)
    return counts


def main() -> None:
    small, large = queries(10), queries(1_000)
    print("bench/queries.py: SQL statements per page (shop database), 10 and 1,000 products")
    print(f"  {'page':<36} {'10':>5} {'1,000':>6}  ratio")
    for name, count in small.items():
        ratio = f"{large[name] / count:.2f}" if count else "-"
        print(f"  {name:<36} {count:>5} {large[name]:>6}  {ratio}")


if __name__ == "__main__":
    main()
