"""The Korean checkout in Chromium, in English and Korean: the postcode search's fallback when
Kakao's service does not load, the payment consent, and a checkout to another recipient with a
delivery memo and the shipping fee, shown on the confirmation."""

import re

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from shop.extensions import db
from shop.models import Order, Product
from tests.e2e.actions import BUYER, CONSENT, give_details, kakao_window
from tests.language import LANGS, t

POSTCODE_SCRIPT = "https://t1.daumcdn.net/**"
UNAVAILABLE = (
    "The postcode search is not available right now. Please type your postcode and address."
)


def starting(words: str) -> re.Pattern:
    """A row's name that begins with ``words`` (its heading cell), whatever its amount."""
    return re.compile("^" + re.escape(words))


def tea(shop) -> Product:
    with shop.app.app_context():
        return db.session.scalar(select(Product).where(Product.slug == "jeju-green-tea"))


def orders(shop) -> list[Order]:
    with shop.app.app_context():
        return db.session.scalars(select(Order)).all()


def to_checkout(page: Page, shop, lang: str) -> Product:
    """One jar of tea (14,000원, under the free-shipping amount) in the cart, at checkout."""
    product = tea(shop)
    page.goto(f"{shop.url}/products/{product.slug}")
    page.get_by_role("button", name=t("Add to cart", lang)).click()
    expect(page.get_by_role("heading", name=t("Your cart", lang))).to_be_visible()
    page.get_by_role("link", name=t("Checkout", lang)).click()
    expect(page.get_by_role("heading", name=t("Checkout", lang), exact=True)).to_be_visible()
    return product


@pytest.mark.parametrize("lang", LANGS)
def test_without_the_postcode_service_the_address_is_typed(shop, page: Page, lang):
    # Offline, or blocked: Kakao's postcode script does not load.
    page.route(POSTCODE_SCRIPT, lambda route: route.abort())
    to_checkout(page, shop, lang)
    finder = page.get_by_role("button", name=t("Find postcode", lang))
    expect(page.get_by_role("status").filter(has_text=t(UNAVAILABLE, lang))).to_be_visible()
    # Said at once, and the button that cannot work says so too.
    expect(finder).to_be_disabled()

    postcode = page.get_by_label(t("Postcode", lang), exact=True)
    expect(postcode).to_have_attribute("inputmode", "numeric")
    expect(postcode).to_be_editable()
    postcode.fill("06236")
    page.get_by_label(t("Address", lang), exact=True).fill(BUYER["Address"])
    page.get_by_label(t("Address detail", lang), exact=True).fill("5층")
    for label in ("Name", "Email", "Phone"):
        page.get_by_label(t(label, lang), exact=True).fill(BUYER[label])
    page.get_by_role("checkbox", name=t(CONSENT, lang)).check()
    page.get_by_role("button", name=t("Continue to Kakao Pay", lang)).click()
    expect(kakao_window(page).get_by_role("button", name="Approve")).to_be_visible()
    [order] = orders(shop)
    assert (order.buyer_postcode, order.address_detail) == ("06236", "5층")


# Stands in for Kakao's script: the search window, where the buyer picks 테헤란로 152.
FAKE_POSTCODE_SEARCH = """
window.daum = { Postcode: function (options) {
  this.open = function () {
    options.oncomplete({ zonecode: "06236", roadAddress: "서울 강남구 테헤란로 152",
                         jibunAddress: "서울 강남구 역삼동 737", userSelectedType: "R",
                         buildingName: "강남파이낸스센터" });
  };
} };
"""


def test_where_the_postcode_service_loads_a_chosen_address_fills_the_fields(shop, page: Page):
    page.route(
        POSTCODE_SCRIPT,
        lambda route: route.fulfill(body=FAKE_POSTCODE_SEARCH, content_type="text/javascript"),
    )
    to_checkout(page, shop, "en")
    # Kakao's script has run: its search is there to open.
    page.wait_for_function("() => window.daum !== undefined")
    page.get_by_role("button", name="Find postcode").click()
    expect(page.get_by_label("Postcode", exact=True)).to_have_value("06236")
    expect(page.get_by_label("Address", exact=True)).to_have_value(
        "서울 강남구 테헤란로 152 (강남파이낸스센터)"
    )
    expect(page.get_by_label("Address detail", exact=True)).to_be_focused()


@pytest.mark.parametrize("lang", LANGS)
def test_paying_needs_the_consent_and_nothing_typed_is_lost(shop, page: Page, lang):
    to_checkout(page, shop, lang)
    give_details(page, lang)
    page.get_by_role("checkbox", name=t("Same as buyer", lang)).uncheck()
    page.get_by_label(t("Recipient's name", lang), exact=True).fill("박서준")
    page.get_by_label(t("Recipient's phone", lang), exact=True).fill("010 9876 5432")
    page.get_by_label(t("Delivery memo", lang), exact=True).select_option(
        label=t("Write my own", lang)
    )
    page.get_by_label(t("Your delivery memo", lang), exact=True).fill("공동현관 #1234")
    page.get_by_role("button", name=t("Continue to Kakao Pay", lang)).click()

    consent = page.get_by_role("checkbox", name=t(CONSENT, lang))
    expect(
        page.get_by_role("alert").filter(
            has_text=t("Agree to the terms of purchase and the payment to continue.", lang)
        )
    ).to_be_visible()
    expect(consent).to_have_attribute("aria-invalid", "true")
    expect(page.locator("iframe[title='Kakao Pay']")).to_have_count(0)
    assert orders(shop) == []
    expect(page.get_by_label(t("Name", lang), exact=True)).to_have_value(BUYER["Name"])
    expect(page.get_by_label(t("Recipient's name", lang), exact=True)).to_have_value("박서준")
    expect(page.get_by_label(t("Your delivery memo", lang), exact=True)).to_have_value(
        "공동현관 #1234"
    )

    consent.check()
    page.get_by_role("button", name=t("Continue to Kakao Pay", lang)).click()
    expect(kakao_window(page).get_by_role("button", name="Approve")).to_be_visible()
    [order] = orders(shop)
    assert (order.recipient_tel, order.delivery_memo) == ("010-9876-5432", "공동현관 #1234")


@pytest.mark.parametrize("lang", LANGS)
def test_a_checkout_to_another_recipient_with_a_memo_and_the_fee(shop, page: Page, lang):
    product = to_checkout(page, shop, lang)
    fee, total = "3,000원", f"{product.price + 3_000:,}원"
    expect(page.get_by_role("row", name=starting(t("Shipping", lang)))).to_contain_text(fee)
    expect(page.get_by_role("row", name=starting(t("Total", lang)))).to_contain_text(total)

    give_details(page, lang)
    recipient = page.get_by_label(t("Recipient's name", lang), exact=True)
    expect(recipient).to_be_hidden()
    page.get_by_role("checkbox", name=t("Same as buyer", lang)).uncheck()
    recipient.fill("박서준")
    page.get_by_label(t("Recipient's phone", lang), exact=True).fill("+82 10 9876 5432")
    page.get_by_label(t("Address detail", lang), exact=True).fill("101동 1004호")
    expect(page.get_by_label(t("Your delivery memo", lang), exact=True)).to_be_hidden()
    memo = t("Leave it at the security office", lang)
    page.get_by_label(t("Delivery memo", lang), exact=True).select_option(label=memo)
    page.get_by_role("checkbox", name=t(CONSENT, lang)).check()
    page.get_by_role("button", name=t("Continue to Kakao Pay", lang)).click()

    window = kakao_window(page)
    expect(window.get_by_text(total)).to_be_visible()
    window.get_by_role("button", name="Approve").click()
    expect(
        page.get_by_role("heading", name=t("Thank you! Your order is paid.", lang))
    ).to_be_visible()
    address = f"박서준, {BUYER['Address']} 101동 1004호 ({BUYER['Postcode']})"
    expect(page.get_by_text(address)).to_be_visible()
    expect(page.get_by_text("010-9876-5432")).to_be_visible()
    expect(page.get_by_text(memo, exact=True)).to_be_visible()
    expect(page.get_by_role("row", name=starting(t("Shipping", lang)))).to_contain_text(fee)
    expect(page.get_by_role("row", name=starting(t("Total", lang)))).to_contain_text(total)
