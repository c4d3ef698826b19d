"""Every page of the shop, in each state a buyer or an admin meets it, for the tests that look at
all of them (fits a phone, no accessibility blocker).

The people and orders behind the pages are made once, over HTTP with the test client and the
mounted sandbox (no browser: a real sign-up, real Kakao Pay windows decided, a real subscription),
and their browsers are their session cookies. The walk then visits each page in a browser
context per language, all at once, swapping cookies between people, and hands the loaded
pages to the test.
"""

from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import timedelta

from flask import Flask
from playwright.sync_api import BrowserContext, Page
from sqlalchemy import select, update

from shop.catalog.seed import seed_catalog
from shop.extensions import db
from shop.models import Order, Product, utcnow
from tests.language import EnglishClient
from tests.sandbox_controls import reset_sandbox
from tests.shop.account_actions import customer, save_kakao_pay
from tests.shop.actions import ShopActions
from tests.shop.subscription_actions import subscribe, with_plans

ADMIN = "admin@example.com"
PASSWORD = "correct horse battery"


@dataclass(frozen=True)
class Stop:
    """A page (``path``) as ``who`` sees it; ``name`` says which in a failure."""

    name: str
    who: str
    path: str


def prepare(app: Flask, base_url: str) -> tuple[dict[str, dict[str, str]], list[Stop]]:
    """Empty the shop and the sandbox, make the people and orders, and return each person's
    cookies (by name) with the pages to visit."""
    reset_sandbox(f"{base_url}/portone-sandbox")
    with app.app_context():
        db.drop_all()
        db.create_all()
        seed_catalog()
    with_plans(app)
    slug = _slug(app)

    shopper = _person(app)
    shopper.add_to_cart(slug, 2)

    member = customer(_person(app), "member@example.com")
    paid = member.place(1, slug)
    member.redirect_door(member.pay(paid.merchant_uid, paid.amount))
    failed = member.place(1, slug)
    member.redirect_door(member.pay(failed.merchant_uid, failed.amount, "decline"))
    cancelled = member.place(1, slug)
    query = member.pay(cancelled.merchant_uid, cancelled.amount)
    member.redirect_door(query)
    member.console_cancel(query["imp_uid"])
    member.webhook({"imp_uid": query["imp_uid"], "merchant_uid": cancelled.merchant_uid})
    pending = member.place(1, slug)
    expired = member.place(1, slug)
    with app.app_context():
        db.session.execute(
            update(Order)
            .where(Order.merchant_uid == expired.merchant_uid)
            .values(payable_until=utcnow() - timedelta(minutes=1))
        )
        db.session.commit()
    paid_id = _order_id(app, paid.merchant_uid)

    subscriber = customer(_person(app), "subscriber@example.com")
    subscribe(subscriber)
    save_kakao_pay(subscriber)

    admin = _person(app)
    made = app.test_cli_runner().invoke(
        args=["create-admin", ADMIN], input=f"{PASSWORD}\n{PASSWORD}\n"
    )
    assert made.exit_code == 0, made.output
    admin.post("/account/login", {"email": ADMIN, "password": PASSWORD})

    people = {
        "visitor": {},
        "shopper": _cookies(shopper),
        "member": _cookies(member),
        "subscriber": _cookies(subscriber),
        "admin": _cookies(admin),
    }
    stops = [
        Stop("catalog", "visitor", "/"),
        Stop("product", "visitor", f"/products/{slug}"),
        Stop("empty cart", "visitor", "/cart/"),
        Stop("log in", "visitor", "/account/login"),
        Stop("sign up", "visitor", "/account/signup"),
        Stop("find your order", "visitor", "/orders/find"),
        Stop("plans", "visitor", "/plans"),
        Stop("catalog search", "visitor", "/?q=honey"),
        Stop("catalog search without results", "visitor", "/?q=nothing-of-the-kind"),
        Stop("terms of purchase", "visitor", "/policies/terms"),
        Stop("privacy policy", "visitor", "/policies/privacy"),
        Stop("refund policy", "visitor", "/policies/refunds"),
        Stop("business information", "visitor", "/policies/business"),
        Stop("not found", "visitor", "/products/no-such-thing"),
        Stop("full cart", "shopper", "/cart/"),
        Stop("checkout", "shopper", "/checkout"),
        Stop("payment page", "member", f"/orders/{pending.token}/pay"),
        Stop("failed payment page", "member", f"/orders/{failed.token}/pay"),
        Stop("paid order", "visitor", f"/orders/{paid.token}"),
        Stop("failed order", "visitor", f"/orders/{failed.token}"),
        Stop("cancelled order", "visitor", f"/orders/{cancelled.token}"),
        Stop("unpaid order", "visitor", f"/orders/{pending.token}"),
        Stop("expired order", "visitor", f"/orders/{expired.token}"),
        Stop("account without saved Kakao Pay", "member", "/account/"),
        Stop("product with one-step Kakao Pay", "member", f"/products/{slug}"),
        Stop("my orders", "member", "/account/orders"),
        Stop("account with saved Kakao Pay", "subscriber", "/account/"),
        Stop("product with saved Kakao Pay", "subscriber", f"/products/{slug}"),
        Stop("remove saved Kakao Pay", "subscriber", "/account/kakao-pay/remove"),
        Stop("plans when subscribed", "subscriber", "/plans"),
        Stop("admin orders", "admin", "/admin/orders"),
        Stop("admin order", "admin", f"/admin/orders/{paid_id}"),
    ]
    return people, stops


def walk(
    contexts: list[BrowserContext],
    base_url: str,
    people: dict[str, dict[str, str]],
    stops: list[Stop],
) -> Iterator[tuple[Stop, list[Page]]]:
    """Visit each stop as its person in every context at once (one per language, say: the
    browser loads them side by side), and yield its page in each once loaded."""
    pages = [context.new_page() for context in contexts]
    who = None
    for stop in stops:
        if stop.who != who:
            who = stop.who
            for context in contexts:
                context.clear_cookies()
                context.add_cookies(
                    [{"name": k, "value": v, "url": base_url} for k, v in people[who].items()]
                )
        with ExitStack() as loaded:
            for page in pages:
                loaded.enter_context(page.expect_navigation())
                page.evaluate("url => { location.href = url; }", base_url + stop.path)
        for page in pages:
            # Measured in the shop's own font, as a buyer sees the page once it has loaded.
            page.evaluate("document.fonts.ready.then(() => true)")
        yield stop, pages
    for page in pages:
        page.close()


def _person(app: Flask) -> ShopActions:
    """Someone with a browser of their own (the test client keeps their cookies)."""
    return ShopActions(app, EnglishClient(app, use_cookies=True))


def _cookies(person: ShopActions) -> dict[str, str]:
    """Their browser's cookies: the shop keeps a visitor's all in its signed session cookie."""
    session = person.client.get_cookie("session")
    return {"session": session.value} if session else {}


def _slug(app: Flask) -> str:
    with app.app_context():
        return db.session.scalars(select(Product.slug).where(Product.stock >= 10)).first()


def _order_id(app: Flask, merchant_uid: str) -> int:
    with app.app_context():
        return db.session.scalar(select(Order.id).where(Order.merchant_uid == merchant_uid))
