"""Phones first: the product page's quantity stepper and its purchase buttons, fixed to the
bottom of a phone's screen without hiding anything; two products a row in the catalog; the
amount on the checkout's button. Where words matter, in English and in Korean."""

import re

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select

from shop.extensions import db
from shop.format import won
from shop.models import Product
from tests.language import BROWSER_LOCALES, LANGS, t
from tests.shop.actions import with_shipping

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def open_page(browser: Browser, lang):
    """A page in a browser of ``lang`` with a screen of the given size."""
    contexts = []

    def opened(viewport: dict) -> Page:
        contexts.append(browser.new_context(locale=BROWSER_LOCALES[lang], viewport=viewport))
        return contexts[-1].new_page()

    yield opened
    for context in contexts:
        context.close()


def tea(shop) -> Product:
    with shop.app.app_context():
        return db.session.scalars(select(Product).where(Product.stock >= 10)).first()


def box(locator) -> dict:
    found = locator.bounding_box()
    assert found, locator
    return found


@pytest.mark.parametrize("lang", LANGS)
def test_the_stepper_sets_the_quantity_within_its_limits(shop, open_page, lang):
    page = open_page(PHONE)
    item = tea(shop)
    page.goto(f"{shop.url}/products/{item.slug}")
    quantity = page.get_by_label(t("Quantity", lang), exact=True)
    decrease = page.get_by_role("button", name=t("Decrease quantity", lang))
    increase = page.get_by_role("button", name=t("Increase quantity", lang))
    expect(quantity).to_have_value("1")
    expect(decrease).to_be_disabled()

    increase.click()
    increase.click()
    expect(quantity).to_have_value("3")
    decrease.click()
    expect(quantity).to_have_value("2")
    expect(decrease).to_be_enabled()

    quantity.fill(str(item.stock))
    expect(increase).to_be_disabled()
    decrease.click()
    increase.click()
    expect(quantity).to_have_value(str(item.stock))

    quantity.fill("2")
    page.get_by_role("button", name=t("Add to cart", lang)).click()
    expect(page.get_by_role("heading", name=t("Your cart", lang))).to_be_visible()
    expect(page.get_by_label(t("Quantity", lang), exact=True)).to_have_value("2")


@pytest.mark.parametrize("lang", LANGS)
def test_on_a_phone_the_purchase_buttons_stay_on_screen_and_hide_nothing(shop, open_page, lang):
    # The narrowest phone, where the buttons' words wrap the most.
    page = open_page({"width": 320, "height": 640})
    page.goto(f"{shop.url}/products/{tea(shop).slug}")
    add = page.get_by_role("button", name=t("Add to cart", lang))
    buy = page.get_by_role("button", name=t("Buy now with Kakao Pay", lang))
    for button in (add, buy):
        expect(button).to_be_in_viewport(ratio=1)
    added, bought = box(add), box(buy)
    assert added["width"] == bought["width"]
    assert added["y"] == bought["y"]
    assert added["y"] + added["height"] <= 640

    # At the very end of the page, the footer's last words are above the bar, not under it.
    page.evaluate("window.scrollTo(0, document.documentElement.scrollHeight)")
    last = page.locator(".site-footer p").last
    expect(last).to_be_in_viewport(ratio=1)
    assert box(last)["y"] + box(last)["height"] <= box(add)["y"]


def test_on_a_desktop_the_purchase_buttons_are_in_the_page_and_equal(shop, open_page, lang):
    page = open_page({"width": 1280, "height": 800})
    page.goto(f"{shop.url}/products/{tea(shop).slug}")
    add = page.get_by_role("button", name=t("Add to cart", lang))
    buy = page.get_by_role("button", name=t("Buy now with Kakao Pay", lang))
    added, bought = box(add), box(buy)
    assert added["width"] == bought["width"]
    assert added["y"] == bought["y"]
    quantity = box(page.get_by_label(t("Quantity", lang), exact=True))
    assert quantity["y"] + quantity["height"] < added["y"]
    assert add.evaluate("button => getComputedStyle(button.parentElement).position") == "static"


def test_the_catalog_shows_two_products_a_row_on_a_phone(shop, open_page, lang):
    page = open_page({"width": 320, "height": 800})
    page.goto(shop.url + "/")
    cards = page.get_by_role("list", name=t("Products", lang)).get_by_role("listitem")
    first, second, third = box(cards.nth(0)), box(cards.nth(1)), box(cards.nth(2))
    assert first["y"] == second["y"]
    assert second["x"] > first["x"] + first["width"]
    assert third["y"] > first["y"] + first["height"]
    assert third["x"] == first["x"]


@pytest.mark.parametrize("lang", LANGS)
def test_the_checkout_button_shows_the_amount_it_pays(shop, open_page, lang):
    page = open_page(PHONE)
    item = tea(shop)
    page.goto(f"{shop.url}/products/{item.slug}")
    page.get_by_role("button", name=t("Increase quantity", lang)).click()
    page.get_by_role("button", name=t("Add to cart", lang)).click()
    page.goto(shop.url + "/checkout")
    with shop.app.app_context():
        amount = won(with_shipping(shop.app, 2 * item.price))
    name = re.compile(re.escape(t("Continue to Kakao Pay", lang)) + r"\s+" + re.escape(amount))
    expect(page.get_by_role("button", name=name)).to_be_visible()
