"""A buyer in Chromium: browse, cart, checkout (Kakao Pay opens on the checkout page itself),
the window, the shop's verdict, and the payment page a cancelled or declined window leads to."""

import re

import pytest
from playwright.sync_api import Browser, Page, expect
from playwright.sync_api import Error as PlaywrightError
from sqlalchemy import select

from portone_sandbox.playwright import kakao_pay_window
from shop.extensions import db
from shop.models import Order, OrderStatus, PaymentEvent, Product
from tests.e2e.actions import BUYER, fill_checkout, kakao_window
from tests.language import BROWSER_LOCALES, LANGS, t
from tests.sandbox_controls import control, webhook_log
from tests.shop.actions import with_shipping

PAY_BUTTON = re.compile(r"^Pay [\d,]+원 with Kakao Pay$")
PAID = "Thank you! Your order is paid."


def add_to_cart(page: Page, base: str, name: str, quantity: int = 1, lang: str = "en") -> None:
    page.goto(base + "/")
    page.get_by_role("link", name=name).click()
    page.get_by_label(t("Quantity", lang), exact=True).fill(str(quantity))
    page.get_by_role("button", name=t("Add to cart", lang)).click()
    expect(page.get_by_role("heading", name=t("Your cart", lang))).to_be_visible()


def to_payment_step(shop, page: Page) -> Product:
    """One of a product in the cart, the buyer's details given: Kakao Pay's window is open."""
    tea = products(shop)[0]
    add_to_cart(page, shop.url, tea.name)
    page.get_by_role("link", name="Checkout").click()
    fill_checkout(page)
    kakao_pay_window(page)
    return tea


def products(shop) -> list[Product]:
    with shop.app.app_context():
        return db.session.scalars(select(Product).where(Product.stock >= 10)).all()


def the_order(shop) -> Order:
    with shop.app.app_context():
        order = db.session.scalars(select(Order).order_by(Order.id.desc())).first()
        db.session.expunge(order)
        return order


def stock_of(shop, product_id: int) -> int:
    with shop.app.app_context():
        return db.session.get(Product, product_id).stock


def wait_for_webhook(shop, imp_uid: str) -> dict:
    log = webhook_log(f"{shop.url}/portone-sandbox", wait_for=1)
    [delivery] = [d for d in log["deliveries"] if d["imp_uid"] == imp_uid]
    return delivery


@pytest.mark.parametrize("lang", LANGS)
def test_desktop_checkout_of_two_products_is_paid_and_verified(shop, page: Page, lang):
    tea, other = products(shop)[:2]
    add_to_cart(page, shop.url, tea.name, 2, lang)
    add_to_cart(page, shop.url, other.name, lang=lang)
    expect(page.locator("html")).to_have_attribute("lang", lang)
    expect(page.get_by_text(f"{tea.price * 2 + other.price:,}원").first).to_be_visible()
    page.get_by_role("link", name=t("Checkout", lang)).click()
    fill_checkout(page, lang)

    # One step: the window opens over the checkout page.
    total = f"{with_shipping(shop.app, tea.price * 2 + other.price):,}원"
    window = kakao_window(page)
    expect(window.get_by_text(total)).to_be_visible()
    expect(window.get_by_text(f"{tea.name} 외 1건")).to_be_visible()
    window.get_by_role("radio", name="Card").check()
    window.get_by_role("button", name="Approve").click()

    expect(page.get_by_role("heading", name=t(PAID, lang))).to_be_visible()
    expect(page.get_by_text(t("Kakao Pay (Card)", lang))).to_be_visible()
    expect(page.get_by_text(total).first).to_be_visible()
    expect(
        page.get_by_role("heading", name=t("How this payment was verified", lang))
    ).to_be_visible()
    order = the_order(shop)
    assert order.status == OrderStatus.PAID
    assert stock_of(shop, tea.id) == tea.stock - 2
    assert stock_of(shop, other.id) == other.stock - 1

    # The webhook arrives too, and changes nothing more.
    delivery = wait_for_webhook(shop, order.imp_uid)
    assert (delivery["result"], delivery["http_status"]) == ("delivered", 200)
    with shop.app.app_context():
        doors = db.session.execute(select(PaymentEvent.source, PaymentEvent.outcome)).all()
    # One door paid the order; the other re-fetched only if it came before the order was paid,
    # else the database answered it and left no event.
    assert sorted(doors, key=lambda d: d[1]) in (
        [("callback", "paid")],
        [("webhook", "paid")],
        [("webhook", "already_paid"), ("callback", "paid")],
        [("callback", "already_paid"), ("webhook", "paid")],
    )
    assert stock_of(shop, tea.id) == tea.stock - 2

    # The receipt link opens the sandbox's sale slip.
    with page.expect_popup() as popup:
        page.get_by_role("link", name=t("View receipt", lang)).click()
    expect(popup.value.get_by_text(order.merchant_uid)).to_be_visible()
    page.get_by_role("link", name=re.compile(t("Cart", lang))).click()
    expect(page.get_by_text(t("Your cart is empty.", lang))).to_be_visible()


def test_phone_checkout_comes_back_through_the_redirect(shop, browser: Browser, playwright):
    context = browser.new_context(**playwright.devices["iPhone 13"], locale=BROWSER_LOCALES["en"])
    page = context.new_page()
    try:
        tea = products(shop)[0]
        add_to_cart(page, shop.url, tea.name)
        page.get_by_role("link", name="Checkout").click()
        fill_checkout(page)
        # On a phone Kakao Pay takes the whole page, straight from the checkout.
        page.get_by_role("button", name="Approve").click()
        expect(page.get_by_role("heading", name=PAID)).to_be_visible()
        expect(page.get_by_text("Kakao Pay (KakaoMoney)")).to_be_visible()
        order = the_order(shop)
        assert order.status == OrderStatus.PAID
        with shop.app.app_context():
            first = db.session.scalars(select(PaymentEvent).order_by(PaymentEvent.id)).first()
        assert first.source in ("redirect", "webhook")
        assert stock_of(shop, tea.id) == tea.stock - 1
    finally:
        context.close()


def test_buy_now_from_a_product_page(shop, page: Page):
    tea = products(shop)[0]
    page.goto(shop.url + "/")
    with page.expect_navigation():
        page.get_by_role("link", name=tea.name).click()
    page.get_by_label("Quantity").fill("3")
    page.get_by_role("button", name="Buy now with Kakao Pay").click()
    expect(page.get_by_role("heading", name="Checkout")).to_be_visible()
    fill_checkout(page)
    expect(
        kakao_window(page).get_by_text(f"{with_shipping(shop.app, tea.price * 3):,}원")
    ).to_be_visible()
    kakao_window(page).get_by_role("button", name="Approve").click()
    expect(page.get_by_role("heading", name=PAID)).to_be_visible()
    assert the_order(shop).amount == with_shipping(shop.app, tea.price * 3)
    assert stock_of(shop, tea.id) == tea.stock - 3


def order_count(shop) -> int:
    with shop.app.app_context():
        return db.session.scalar(select(db.func.count(Order.id)))


def test_cancel_returns_to_the_same_order_which_is_paid_again(shop, page: Page):
    tea = to_payment_step(shop, page)
    placed = the_order(shop)
    kakao_window(page).get_by_role("button", name="Cancel").click()
    expect(page.get_by_role("heading", name="Pay for your order")).to_be_visible()
    expect(
        page.get_by_text("You cancelled the Kakao Pay payment. Nothing was charged.")
    ).to_be_visible()
    assert page.url == f"{shop.url}/orders/{placed.token}/pay"
    assert stock_of(shop, tea.id) == tea.stock

    page.get_by_role("button", name=PAY_BUTTON).click()
    kakao_window(page).get_by_role("button", name="Approve").click()
    expect(page.get_by_role("heading", name=PAID)).to_be_visible()
    paid = the_order(shop)
    assert (paid.merchant_uid, paid.status) == (placed.merchant_uid, OrderStatus.PAID)
    assert order_count(shop) == 1
    assert stock_of(shop, tea.id) == tea.stock - 1


def test_decline_shows_the_reason_and_the_same_order_is_paid_again(shop, page: Page):
    tea = to_payment_step(shop, page)
    kakao_window(page).get_by_role("button", name="Decline").click()
    expect(page.get_by_role("heading", name="Pay for your order")).to_be_visible()
    expect(page.get_by_role("alert").filter(has_text="결제 승인이 거절되었습니다")).to_be_visible()
    failed = the_order(shop)
    assert failed.status == OrderStatus.FAILED

    page.get_by_role("button", name=PAY_BUTTON).click()
    kakao_window(page).get_by_role("button", name="Approve").click()
    expect(page.get_by_role("heading", name=PAID)).to_be_visible()
    paid = the_order(shop)
    assert paid.merchant_uid == failed.merchant_uid
    assert order_count(shop) == 1
    assert stock_of(shop, tea.id) == tea.stock - 1


SHOWN_IN_THE_MIDDLE = """text => {
    const there = document.elementFromPoint(innerWidth / 2, innerHeight / 2);
    const status = there && there.closest("[role=status]");
    return Boolean(status && status.textContent.includes(text));
}"""


def test_the_processing_state_shows_between_approve_and_the_confirmation(shop, page: Page):
    # PortOne answers the shop's re-fetches (the callback's and the webhook's) two seconds late.
    control(
        "POST",
        f"{shop.url}/portone-sandbox/_sandbox/faults",
        json={"kind": "hang", "endpoint": "GET /payments/{imp_uid}", "delay": 2, "count": 2},
    ).raise_for_status()
    to_payment_step(shop, page)
    kakao_window(page).get_by_role("button", name="Approve").click()
    progress = page.get_by_role("status").filter(has_text="Confirming your payment…")
    expect(progress).to_be_visible()
    # Over the page, not only read out: it is what the middle of the screen shows.
    page.wait_for_function(SHOWN_IN_THE_MIDDLE, arg="Confirming your payment…")
    expect(page.get_by_role("heading", name=PAID)).to_be_visible()
    assert the_order(shop).status == OrderStatus.PAID


def test_back_after_paying_on_a_phone_shows_no_live_window(shop, browser: Browser, playwright):
    context = browser.new_context(**playwright.devices["iPhone 13"], locale=BROWSER_LOCALES["en"])
    page = context.new_page()
    try:
        to_payment_step(shop, page)
        page.get_by_role("button", name="Approve").click()
        expect(page.get_by_role("heading", name=PAID)).to_be_visible()
        order = the_order(shop)

        # Back goes to the window's page, which must not come back from a cache, live.
        # No copy of it is kept (no-store): Chromium offers to send its form again instead.
        with pytest.raises(PlaywrightError, match="net::ERR_CACHE_MISS"):
            page.go_back()
        expect(page.get_by_role("button", name="Approve")).to_have_count(0)
        expect(page.get_by_role("group", name="Pay with")).to_have_count(0)
        # Back again is the order's payment page (the checkout became it), which is paid.
        page.evaluate("history.back()")
        expect(page.get_by_role("heading", name=PAID)).to_be_visible()
        assert page.url == f"{shop.url}/orders/{order.token}"
        assert order_count(shop) == 1
    finally:
        context.close()


def test_back_after_paying_on_a_desktop_finds_the_paid_order(shop, page: Page):
    to_payment_step(shop, page)
    kakao_window(page).get_by_role("button", name="Approve").click()
    expect(page.get_by_role("heading", name=PAID)).to_be_visible()
    # The checkout page became the order's payment page, asked for again: the order is paid.
    page.go_back()
    expect(page.get_by_role("heading", name=PAID)).to_be_visible()
    expect(page.get_by_role("button", name=PAY_BUTTON)).to_have_count(0)
    expect(page.get_by_role("button", name="Continue to Kakao Pay")).to_have_count(0)


def test_bad_details_are_shown_by_their_fields_and_open_nothing(shop, page: Page):
    tea = products(shop)[0]
    add_to_cart(page, shop.url, tea.name)
    page.get_by_role("link", name="Checkout").click()
    for label, value in {**BUYER, "Postcode": "123"}.items():
        page.get_by_label(label, exact=True).fill(value)
    page.get_by_role("button", name="Continue to Kakao Pay").click()
    expect(page.get_by_label("Postcode", exact=True)).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label("Name", exact=True)).to_have_value(BUYER["Name"])
    expect(page.locator("iframe[title='Kakao Pay']")).to_have_count(0)
    assert order_count(shop) == 0


def test_amount_changed_on_the_way_to_the_window_never_pays(shop, page: Page):
    def tamper(route):
        answer = route.fetch()
        body = answer.json()
        body["params"]["amount"] = 100
        route.fulfill(response=answer, json=body)

    tea = products(shop)[0]
    add_to_cart(page, shop.url, tea.name)
    page.get_by_role("link", name="Checkout").click()
    page.route("**/checkout", tamper)
    fill_checkout(page)
    expect(page.get_by_role("alert")).to_contain_text("일치하지 않")
    expect(page.locator("iframe[title='Kakao Pay']")).to_have_count(0)
    assert the_order(shop).status == OrderStatus.PENDING
    assert stock_of(shop, tea.id) == tea.stock


def test_amount_changed_on_the_payment_page_never_pays(shop, page: Page):
    tea = to_payment_step(shop, page)
    kakao_window(page).get_by_role("button", name="Cancel").click()
    page.locator("#payment-params").evaluate(
        "el => { const p = JSON.parse(el.textContent); p.amount = 100;"
        " el.textContent = JSON.stringify(p); }"
    )
    page.get_by_role("button", name=PAY_BUTTON).click()
    expect(page.locator("#pay-error")).to_contain_text("일치하지 않")
    expect(page.locator("iframe[title='Kakao Pay']")).to_have_count(0)
    assert the_order(shop).status == OrderStatus.FAILED
    assert stock_of(shop, tea.id) == tea.stock


def test_a_second_tab_cannot_pay_the_same_order_again(shop, page: Page):
    tea = to_payment_step(shop, page)
    # The checkout's address is the order's payment page now.
    second = page.context.new_page()
    second.goto(page.url)

    kakao_window(page).get_by_role("button", name="Approve").click()
    expect(page.get_by_role("heading", name=PAID)).to_be_visible()

    second.get_by_role("button", name=PAY_BUTTON).click()
    expect(second.get_by_role("alert")).to_contain_text("이미 결제가 이루어진 거래건입니다.")
    with shop.app.app_context():
        assert db.session.scalar(select(db.func.count(Order.id))) == 1
    assert stock_of(shop, tea.id) == tea.stock - 1
