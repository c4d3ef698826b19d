"""An admin in Chromium refunds part of a buyer's order; the buyer sees the refund."""

import re

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select

from shop.extensions import db
from shop.models import Product
from tests.e2e.actions import fill_checkout, kakao_window
from tests.language import BROWSER_LOCALES
from tests.shop.actions import with_shipping

ADMIN = "admin@example.com"
PASSWORD = "correct horse battery"
REASON = "배송 지연 보상"


@pytest.fixture
def admin_page(shop, browser: Browser):
    """A second browser, logged in as an admin made with ``flask create-admin``."""
    made = shop.app.test_cli_runner().invoke(
        args=["create-admin", ADMIN], input=f"{PASSWORD}\n{PASSWORD}\n"
    )
    assert made.exit_code == 0, made.output
    context = browser.new_context(locale=BROWSER_LOCALES["en"])
    page = context.new_page()
    page.goto(shop.url + "/account/login")
    page.get_by_label("Email").fill(ADMIN)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("link", name="Admin")).to_be_visible()
    yield page
    context.close()


def test_an_admin_refunds_part_of_an_order_and_the_buyer_sees_it(shop, page: Page, admin_page):
    with shop.app.app_context():
        tea = db.session.scalars(select(Product).where(Product.stock >= 10)).first()
    page.goto(shop.url + "/")
    page.get_by_role("link", name=tea.name).click()
    page.get_by_role("button", name="Add to cart").click()
    page.get_by_role("link", name="Checkout").click()
    fill_checkout(page)
    # The window opens over the checkout page itself.
    kakao_window(page).get_by_role("button", name="Approve").click()
    expect(page.get_by_role("heading", name="Thank you! Your order is paid.")).to_be_visible()
    expect(page.get_by_role("heading", name="Refunds")).to_have_count(0)

    admin_page.get_by_role("link", name="Admin").click()
    admin_page.get_by_label("Search").fill("minji@example")
    admin_page.get_by_label("Status").select_option(label="Paid")
    admin_page.get_by_role("button", name="Search").click()
    admin_page.get_by_role("link", name=re.compile(r"^ord_")).click()
    expect(admin_page.get_by_text("Paid in full, the amount matches the order")).to_be_visible()
    admin_page.get_by_label("Amount to refund (won)").fill("1000")
    admin_page.get_by_label("Reason").fill(REASON)
    admin_page.get_by_role("button", name="Refund").click()
    expect(admin_page.get_by_text("PortOne refunded 1,000원 of order")).to_be_visible()
    expect(admin_page.get_by_text("An admin's refund, read back")).to_be_visible()

    page.reload()
    expect(page.get_by_role("heading", name="Refunds")).to_be_visible()
    refund_row = page.get_by_role("row", name=re.compile(REASON))
    expect(refund_row).to_contain_text("1,000원")
    paid = with_shipping(shop.app, tea.price)
    expect(page.get_by_text(f"{paid - 1_000:,}원", exact=True)).to_be_visible()
