"""A buyer with an account in Chromium: sign up, save Kakao Pay, see, replace and remove it,
buy with one click, and pay in the window opened on a product page; desktop and phone. The
desktop's save-see-replace-buy-remove runs in each language, by the words of ``t()``."""

import re

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select

from shop.extensions import db
from shop.models import BillingKey, Order, OrderStatus, Product
from tests.e2e.actions import BUYER, PASSWORD, approve, kakao_window, sign_up_with_details
from tests.language import BROWSER_LOCALES, LANGS, t
from tests.shop.actions import with_shipping

PAID = "Thank you! Your order is paid."


def card(lang: str = "en") -> re.Pattern:
    """A saved card as the account page describes it: its name and masked number."""
    around = t("Kakao Pay (%(card)s)", lang).split("%(card)s")
    return re.compile(re.escape(around[0]) + r"\S+ \d{6}\*{6}\d{4}" + re.escape(around[1]))


@pytest.fixture
def phone(browser: Browser, playwright):
    context = browser.new_context(**playwright.devices["iPhone 13"], locale=BROWSER_LOCALES["en"])
    yield context.new_page()
    context.close()


def product(shop) -> Product:
    with shop.app.app_context():
        return db.session.scalars(select(Product).where(Product.stock >= 10)).first()


def open_product(page: Page, shop) -> Product:
    tea = product(shop)
    page.goto(shop.url + "/")
    # Loaded, scripts and all: a button pressed before its script runs takes the page's
    # fallback without JavaScript (the checkout), as it would for a person.
    with page.expect_navigation():
        page.get_by_role("link", name=tea.name).click()
    return tea


def last_order(shop) -> Order:
    with shop.app.app_context():
        order = db.session.scalars(select(Order).order_by(Order.id.desc())).first()
        db.session.expunge(order)
        return order


def saved_keys(shop) -> list[BillingKey]:
    with shop.app.app_context():
        return db.session.scalars(select(BillingKey)).all()


@pytest.mark.parametrize("lang", LANGS)
def test_desktop_save_see_replace_buy_and_remove_kakao_pay(shop, page: Page, lang):
    sign_up_with_details(page, shop.url, lang=lang)
    expect(page.locator("html")).to_have_attribute("lang", lang)

    page.get_by_role("button", name=t("Save Kakao Pay", lang)).click()
    window = kakao_window(page)
    expect(window.get_by_text("Nothing is charged now.")).to_be_visible()
    approve(window, "Card")
    expect(
        page.get_by_text(t("Kakao Pay is saved. You can now buy with one click.", lang))
    ).to_be_visible()
    expect(page.get_by_text(card(lang))).to_be_visible()

    page.get_by_role("button", name=t("Replace", lang)).click()
    approve(kakao_window(page), "KakaoMoney")
    expect(page.get_by_text(t("Your saved Kakao Pay was replaced.", lang))).to_be_visible()
    expect(page.get_by_text(t("Kakao Pay (KakaoMoney)", lang))).to_be_visible()
    assert len(saved_keys(shop)) == 1

    tea = open_product(page, shop)
    page.get_by_label(t("Quantity", lang), exact=True).fill("2")
    page.get_by_role("button", name=t("Buy now with saved Kakao Pay", lang)).click()
    expect(page.get_by_role("heading", name=t(PAID, lang))).to_be_visible()
    order = last_order(shop)
    assert (order.status, order.amount) == (
        OrderStatus.PAID,
        with_shipping(shop.app, tea.price * 2),
    )

    page.get_by_role("link", name=t("My orders", lang)).click()
    page.get_by_role("link", name=order.merchant_uid).click()
    expect(page.get_by_role("heading", name=t(PAID, lang))).to_be_visible()

    page.get_by_role("link", name=t("Account", lang)).click()
    page.get_by_role("link", name=t("Remove saved Kakao Pay", lang)).click()
    expect(page.get_by_role("heading", name=t("Remove saved Kakao Pay?", lang))).to_be_visible()
    page.get_by_role("button", name=t("Remove saved Kakao Pay", lang)).click()
    expect(page.get_by_text(t("Your saved Kakao Pay was removed.", lang))).to_be_visible()
    expect(page.get_by_role("button", name=t("Save Kakao Pay", lang))).to_be_enabled()
    assert saved_keys(shop) == []


def test_phone_save_buy_and_remove_kakao_pay(shop, phone: Page):
    sign_up_with_details(phone, shop.url)
    phone.get_by_role("button", name="Save Kakao Pay").click()
    # On a phone Kakao Pay takes the whole page, then sends the browser back.
    approve(phone, "Card")
    expect(phone.get_by_text("Kakao Pay is saved.")).to_be_visible()
    expect(phone.get_by_text(card())).to_be_visible()

    open_product(phone, shop)
    phone.get_by_role("button", name="Buy now with saved Kakao Pay").click()
    expect(phone.get_by_role("heading", name=PAID)).to_be_visible()

    phone.goto(shop.url + "/account/")
    phone.get_by_role("link", name="Remove saved Kakao Pay").click()
    phone.get_by_role("button", name="Remove saved Kakao Pay").click()
    expect(phone.get_by_text("Your saved Kakao Pay was removed.")).to_be_visible()
    assert saved_keys(shop) == []


def test_a_declined_one_click_is_paid_in_the_window_instead(shop, page: Page):
    sign_up_with_details(page, shop.url)
    page.get_by_role("button", name="Save Kakao Pay").click()
    approve(kakao_window(page), "Card", decline_later=True)
    expect(page.get_by_text("Kakao Pay is saved.")).to_be_visible()

    open_product(page, shop)
    page.get_by_role("button", name="Buy now with saved Kakao Pay").click()
    expect(page.get_by_role("heading", name="Payment failed")).to_be_visible()
    expect(page.get_by_text("Kakao Pay said: 잔액이 부족합니다.")).to_be_visible()
    failed = last_order(shop)

    page.get_by_role("button", name="Pay in the Kakao Pay window").click()
    page.get_by_role("button", name=re.compile(r"^Pay [\d,]+원 with Kakao Pay$")).click()
    approve(kakao_window(page))
    expect(page.get_by_role("heading", name=PAID)).to_be_visible()
    # The same order: PortOne opens a window for a merchant_uid whose charge failed.
    paid = last_order(shop)
    assert paid.merchant_uid == failed.merchant_uid
    assert paid.status == OrderStatus.PAID


def test_buy_now_opens_kakao_pay_on_the_product_page(shop, page: Page):
    sign_up_with_details(page, shop.url)
    tea = open_product(page, shop)
    product_url = page.url
    page.get_by_label("Quantity").fill("3")
    page.get_by_role("button", name="Buy now with Kakao Pay").click()
    window = kakao_window(page)
    expect(window.get_by_text(f"{with_shipping(shop.app, tea.price * 3):,}원")).to_be_visible()
    assert page.url == product_url
    approve(window, "Card")
    expect(page.get_by_role("heading", name=PAID)).to_be_visible()
    order = last_order(shop)
    assert (order.status, order.amount, order.buyer_addr) == (
        OrderStatus.PAID,
        with_shipping(shop.app, tea.price * 3),
        BUYER["Address"],
    )


def test_buy_now_delivers_to_the_recipient_saved_with_the_account(shop, page: Page):
    sign_up_with_details(page, shop.url)
    same = page.get_by_role("checkbox", name="Same as buyer")
    expect(same).to_be_checked()
    expect(page.get_by_label("Recipient's name")).to_be_hidden()
    same.uncheck()
    page.get_by_label("Recipient's name").fill("김영희")
    page.get_by_label("Recipient's phone").fill("010 9876 5432")
    page.get_by_role("button", name="Save details").click()
    expect(page.get_by_text("Your delivery details are saved.")).to_be_visible()
    expect(page.get_by_role("checkbox", name="Same as buyer")).not_to_be_checked()
    expect(page.get_by_label("Recipient's phone")).to_have_value("010-9876-5432")

    open_product(page, shop)
    page.get_by_role("button", name="Buy now with Kakao Pay").click()
    approve(kakao_window(page), "Card")
    expect(page.get_by_role("heading", name=PAID)).to_be_visible()
    expect(page.get_by_text("김영희", exact=False).first).to_be_visible()
    order = last_order(shop)
    assert (order.recipient, order.recipient_phone, order.buyer_name) == (
        "김영희",
        "010-9876-5432",
        BUYER["Name"],
    )


def test_buy_now_on_a_phone_comes_back_through_the_redirect(shop, phone: Page):
    sign_up_with_details(phone, shop.url)
    tea = open_product(phone, shop)
    phone.get_by_role("button", name="Buy now with Kakao Pay").click()
    # Kakao Pay's window takes the whole page: the product page is gone.
    expect(phone.get_by_role("heading", name="카카오페이 결제")).to_be_visible()
    expect(phone.get_by_text(f"{with_shipping(shop.app, tea.price):,}원")).to_be_visible()
    approve(phone)
    expect(phone.get_by_role("heading", name=PAID)).to_be_visible()
    assert last_order(shop).status == OrderStatus.PAID


def test_log_out_and_back_in(shop, page: Page):
    sign_up_with_details(page, shop.url)
    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_text("You are logged out.")).to_be_visible()
    page.get_by_role("link", name="Log in").click()
    page.get_by_label("Email").fill("minji@example.com")
    page.get_by_label("Password").fill("wrong password")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_text("That email and password don't match an account.")).to_be_visible()
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Your account")).to_be_visible()
