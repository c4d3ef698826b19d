"""Reading the shop starts no session, and the catalog's pages for first visits are cached
until stock or a price changes (shop/catalog/cache.py)."""

import os
import re
import time

import pytest
from sqlalchemy import text, update

from shop.catalog import cache as page_cache
from shop.extensions import db
from shop.models import Product
from tests.shop.account_actions import sign_up
from tests.shop.actions import ShopActions

READ_ONLY_PAGES = [
    "/",
    "/?page=1",
    "/?q=%EC%B0%A8",
    "/products/jeju-green-tea",
    "/products/indigo-handkerchief",
    "/products/no-such-product",
    "/cart/",
    "/plans",
    "/orders/find",
    "/account/login",
    "/account/signup",
    "/no-such-page",
]
HONEY = "/products/jirisan-honey"
# The test's own Redis database (the page cache's keys start with the shop's prefix).
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/2")


@pytest.mark.parametrize("path", READ_ONLY_PAGES)
@pytest.mark.parametrize("lang", ["en", "ko"])
def test_reading_a_page_starts_no_session(client, path, lang):
    for _ in range(2):  # made, then from the cache
        response = client.get(path, headers={"Accept-Language": lang})
        assert response.status_code in (200, 404), path
        assert "Set-Cookie" not in response.headers, path
        assert "csrf_token" not in response.text
        assert "Cookie" in response.vary


def set_price_behind_the_shops_back(app, slug: str, price: int) -> None:
    """A change no commit of the shop makes (raw SQL): the cache cannot know of it."""
    with app.app_context():
        db.session.execute(
            text("UPDATE products SET price = :price WHERE slug = :slug"),
            {"price": price, "slug": slug},
        )
        db.session.commit()


def edit_price(app, slug: str, price: int) -> None:
    """A product edited as an admin form would: loaded, changed, flushed by the session."""
    with app.app_context():
        product = db.session.scalar(db.select(Product).filter_by(slug=slug))
        product.price = price
        db.session.commit()


def test_a_first_visit_gets_the_page_from_the_cache(app, client):
    assert "14,000원" in client.get("/").text
    assert "14,000원" in client.get("/products/jeju-green-tea").text
    set_price_behind_the_shops_back(app, "jeju-green-tea", 15_000)
    assert "14,000원" in client.get("/").text
    assert "14,000원" in client.get("/products/jeju-green-tea").text
    # Another query is another page.
    assert "15,000원" in client.get("/?q=%EB%85%B9%EC%B0%A8").text


def test_a_price_change_shows_at_once(app, client):
    assert "14,000원" in client.get("/").text
    assert "14,000원" in client.get("/products/jeju-green-tea").text
    edit_price(app, "jeju-green-tea", 13_500)
    assert "13,500원" in client.get("/").text
    assert "13,500원" in client.get("/products/jeju-green-tea").text


def test_a_change_rolled_back_keeps_the_cache(app, client):
    assert "14,000원" in client.get("/").text
    set_price_behind_the_shops_back(app, "jeju-green-tea", 15_000)
    with app.app_context():
        db.session.execute(update(Product).values(price=Product.price + 1))
        db.session.rollback()
    assert "14,000원" in client.get("/").text


def only_left(page: str) -> int:
    return int(re.search(r"Only (\d+) left", page).group(1))


def test_a_sold_unit_and_a_refunded_one_show_at_once(app, client):
    buyer = ShopActions(app, app.test_client())
    assert only_left(client.get(HONEY).text) == 3
    assert "Only 3 left" in client.get("/").text

    placed = buyer.place(quantity=1, slug="jirisan-honey")
    approved = buyer.pay(placed.merchant_uid, placed.amount)
    assert buyer.redirect_door(approved).status_code in (200, 302, 303)
    assert only_left(client.get(HONEY).text) == 2
    assert "Only 2 left" in client.get("/").text

    buyer.console_cancel(approved["imp_uid"])
    buyer.webhook({"imp_uid": approved["imp_uid"], "status": "cancelled"})
    assert only_left(client.get(HONEY).text) == 3
    assert "Only 3 left" in client.get("/").text


def test_a_buyer_with_a_cart_never_gets_a_cached_page_nor_leaves_one(app, client):
    assert ">0</span>" in client.get("/").text
    buyer = ShopActions(app, app.test_client())
    buyer.add_to_cart("jeju-green-tea", 2)
    for path in ("/", "/products/jeju-green-tea"):
        page = buyer.client.get(path).text
        assert re.search(r'<span class="cart-count" data-cart-count="2">2</span>', page)
        assert re.search(r'name="csrf_token" type="hidden" value="[^"]+"', page)
        # And a first visit after them still gets a page with no cart and no token.
        page = client.get(path).text
        assert re.search(r'<span class="cart-count" data-cart-count="0">0</span>', page)
        assert "csrf_token" not in page


def test_a_logged_in_buyer_never_gets_a_cached_page_nor_leaves_one(app, client):
    assert "Log in" in client.get("/products/jeju-green-tea").text
    member = ShopActions(app, app.test_client())
    assert sign_up(member).status_code == 303
    for path in ("/", "/products/jeju-green-tea"):
        page = member.client.get(path).text
        assert "Log out" in page
        assert "Log in" not in page
        page = client.get(path).text
        assert "Log in" in page
        assert "Log out" not in page


def test_each_language_has_its_own_cached_page(client):
    english = client.get("/").text
    assert '<html lang="en">' in english
    korean = client.get("/", headers={"Accept-Language": "ko"}).text
    assert '<html lang="ko">' in korean
    client.set_cookie("lang", "ko")
    assert '<html lang="ko">' in client.get("/").text
    client.delete_cookie("lang")
    assert client.get("/").text == english


def redis_or_skip() -> None:
    redis = pytest.importorskip("redis")
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError as error:
        pytest.skip(f"no Redis answered at {REDIS_URL} ({error}); set TEST_REDIS_URL")


def two_processes(app_factory, tmp_path, **config):
    """Two shops on one database and one Redis, as two hosts are; the first seeded."""
    redis_or_skip()
    database = f"sqlite:///{tmp_path / 'shared.sqlite3'}"
    return (
        app_factory(
            in_memory=False, seed=seed, DATABASE_URL=database, REDIS_URL=REDIS_URL, **config
        )
        for seed in (True, False)
    )


def change_price(app, slug: str, price: int) -> None:
    """A change the shop makes (a commit through the ORM's session): the cache hears of it."""
    with app.app_context():
        db.session.execute(update(Product).where(Product.slug == slug).values(price=price))
        db.session.commit()


def test_with_redis_a_change_in_one_process_shows_in_every_other(
    app_factory, tmp_path, monkeypatch
):
    # The clock stands still until the test moves it: no page waits out the recheck window.
    now = time.monotonic()
    monkeypatch.setattr(page_cache.time, "monotonic", lambda: now)
    first, second = two_processes(app_factory, tmp_path)
    assert first.config["CACHE_TYPE"] == "RedisCache"
    assert "14,000원" in first.test_client().get("/").text
    # The second process serves the first's page: the cache is shared.
    set_price_behind_the_shops_back(second, "jeju-green-tea", 15_000)
    assert "14,000원" in second.test_client().get("/").text
    change_price(second, "jeju-green-tea", 12_000)
    # The process that changed it shows it at once; the other once it asks Redis again.
    assert "12,000원" in second.test_client().get("/").text
    assert "14,000원" in first.test_client().get("/").text
    later = now + first.config["CACHE_RECHECK_SECONDS"]
    monkeypatch.setattr(page_cache.time, "monotonic", lambda: later)
    assert "12,000원" in first.test_client().get("/").text


def test_with_redis_and_no_recheck_window_every_page_asks_redis(app_factory, tmp_path):
    first, second = two_processes(app_factory, tmp_path, CACHE_RECHECK_SECONDS=0)
    assert "14,000원" in first.test_client().get("/").text
    change_price(second, "jeju-green-tea", 12_000)
    assert "12,000원" in first.test_client().get("/").text


def served_then_lost(app_factory, keys: str):
    """A shop on Redis that has served its catalog once; then Redis loses its ``keys`` (a
    pattern) and the price changes behind the shop's back. The shop and its visitor."""
    redis_or_skip()
    import redis

    app = app_factory(REDIS_URL=REDIS_URL)
    client = app.test_client()
    assert "14,000원" in client.get("/").text
    server = redis.Redis.from_url(REDIS_URL)
    lost = list(server.scan_iter(keys))
    assert lost
    server.delete(*lost)
    set_price_behind_the_shops_back(app, "jeju-green-tea", 15_000)
    return app, client


def test_with_redis_a_process_keeps_the_pages_of_the_generation_it_saw(app_factory, monkeypatch):
    # Redis loses the page (evicted, say): this process still serves the page it read,
    # without asking Redis for it.
    app, client = served_then_lost(app_factory, "shop:page/*")
    assert "14,000원" in client.get("/").text
    # Kept for CACHE_DEFAULT_TIMEOUT at most...
    later = time.monotonic() + app.config["CACHE_DEFAULT_TIMEOUT"] + 1
    monkeypatch.setattr(page_cache.time, "monotonic", lambda: later)
    assert "15,000원" in client.get("/").text
    monkeypatch.undo()
    # ...and never once the products change: a new generation.
    change_price(app, "jeju-green-tea", 12_000)
    assert "12,000원" in client.get("/").text


def test_with_redis_a_lost_generation_makes_every_page_afresh(app_factory, monkeypatch):
    # Redis loses everything (a restart without persistence): once the process asks Redis
    # again, a new generation has no pages.
    app, client = served_then_lost(app_factory, "shop:*")
    later = time.monotonic() + app.config["CACHE_RECHECK_SECONDS"]
    monkeypatch.setattr(page_cache.time, "monotonic", lambda: later)
    assert "15,000원" in client.get("/").text


def test_a_cache_that_cannot_be_reached_only_costs_the_cache(app_factory, caplog):
    app = app_factory(REDIS_URL="redis://127.0.0.1:1/0")
    client = app.test_client()
    assert "14,000원" in client.get("/").text
    edit_price(app, "jeju-green-tea", 13_500)
    assert "13,500원" in client.get("/products/jeju-green-tea").text
    logged = {record.getMessage() for record in caplog.records}
    assert "the page cache could not be read" in logged
    assert "the page cache could not be told that products changed" in logged
