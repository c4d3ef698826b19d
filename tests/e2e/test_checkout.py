"""A buyer in Chromium: browse, cart, checkout, Kakao Pay window, and the shop's verdict."""

import re

from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select

from shop.extensions import db
from shop.models import Order, OrderStatus, PaymentEvent, Product
from tests.e2e.actions import fill_checkout, kakao_window
from tests.sandbox_controls import control

PAY_BUTTON = re.compile(r"^Pay [\d,]+원 with Kakao Pay$")
PAID = "Thank you! Your order is paid."


def add_to_cart(page: Page, base: str, name: str, quantity: int = 1) -> None:
    page.goto(base + "/")
    page.get_by_role("link", name=name).click()
    page.get_by_label("Quantity").fill(str(quantity))
    page.get_by_role("button", name="Add to cart").click()
    expect(page.get_by_role("heading", name="Your cart")).to_be_visible()


def to_payment_step(shop, page: Page) -> Product:
    """One of a product in the cart, the buyer's details given: the Kakao Pay button is next."""
    tea = products(shop)[0]
    add_to_cart(page, shop.url, tea.name)
    page.get_by_role("link", name="Checkout").click()
    fill_checkout(page)
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
    response = control(
        "GET",
        f"{shop.url}/portone-sandbox/_sandbox/webhooks",
        params={"wait_for": 1, "timeout": 5},
        timeout=15,
    )
    [delivery] = [d for d in response.json()["deliveries"] if d["imp_uid"] == imp_uid]
    return delivery


def test_desktop_checkout_of_two_products_is_paid_and_verified(shop, page: Page):
    tea, other = products(shop)[:2]
    add_to_cart(page, shop.url, tea.name, 2)
    add_to_cart(page, shop.url, other.name)
    expect(page.get_by_text(f"{tea.price * 2 + other.price:,}원").first).to_be_visible()
    page.get_by_role("link", name="Checkout").click()
    fill_checkout(page)

    total = f"{tea.price * 2 + other.price:,}원"
    page.get_by_role("button", name=PAY_BUTTON).click()
    window = kakao_window(page)
    expect(window.get_by_text(total)).to_be_visible()
    expect(window.get_by_text(f"{tea.name} 외 1건")).to_be_visible()
    window.get_by_role("radio", name="Card").check()
    window.get_by_role("button", name="Approve").click()

    expect(page.get_by_role("heading", name=PAID)).to_be_visible()
    expect(page.get_by_text("Kakao Pay (Card)")).to_be_visible()
    expect(page.get_by_text(total).first).to_be_visible()
    order = the_order(shop)
    assert order.status == OrderStatus.PAID
    assert stock_of(shop, tea.id) == tea.stock - 2
    assert stock_of(shop, other.id) == other.stock - 1

    # The webhook arrives too, and changes nothing more.
    delivery = wait_for_webhook(shop, order.imp_uid)
    assert (delivery["result"], delivery["http_status"]) == ("delivered", 200)
    with shop.app.app_context():
        doors = db.session.execute(select(PaymentEvent.source, PaymentEvent.outcome)).all()
    assert sorted(doors, key=lambda d: d[1]) in (
        [("webhook", "already_paid"), ("callback", "paid")],
        [("callback", "already_paid"), ("webhook", "paid")],
    )
    assert stock_of(shop, tea.id) == tea.stock - 2

    # The receipt link opens the sandbox's sale slip.
    with page.expect_popup() as popup:
        page.get_by_role("link", name="View receipt").click()
    expect(popup.value.get_by_text(order.merchant_uid)).to_be_visible()
    page.get_by_role("link", name=re.compile("Cart")).click()
    expect(page.get_by_text("Your cart is empty")).to_be_visible()


def test_phone_checkout_comes_back_through_the_redirect(shop, browser: Browser, playwright):
    context = browser.new_context(**playwright.devices["iPhone 13"])
    page = context.new_page()
    try:
        tea = products(shop)[0]
        add_to_cart(page, shop.url, tea.name)
        page.get_by_role("link", name="Checkout").click()
        fill_checkout(page)
        page.get_by_role("button", name=PAY_BUTTON).click()
        # On a phone Kakao Pay takes the whole page.
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
    page.get_by_role("link", name=tea.name).click()
    page.get_by_label("Quantity").fill("3")
    page.get_by_role("button", name="Buy now with Kakao Pay").click()
    expect(page.get_by_role("heading", name="Checkout")).to_be_visible()
    fill_checkout(page)
    page.get_by_role("button", name=f"Pay {tea.price * 3:,}원 with Kakao Pay").click()
    kakao_window(page).get_by_role("button", name="Approve").click()
    expect(page.get_by_role("heading", name=PAID)).to_be_visible()
    assert the_order(shop).amount == tea.price * 3
    assert stock_of(shop, tea.id) == tea.stock - 3


def test_cancel_in_the_window_goes_back_to_checkout(shop, page: Page):
    tea = to_payment_step(shop, page)
    page.get_by_role("button", name=PAY_BUTTON).click()
    kakao_window(page).get_by_role("button", name="Cancel").click()
    expect(
        page.get_by_text("You cancelled the Kakao Pay payment. Nothing was charged.")
    ).to_be_visible()
    expect(page.get_by_role("heading", name="Checkout")).to_be_visible()
    expect(page.get_by_label("Name", exact=True)).to_have_value("김민지")
    assert stock_of(shop, tea.id) == tea.stock


def test_decline_shows_the_reason_and_a_retry_can_pay(shop, page: Page):
    tea = to_payment_step(shop, page)
    page.get_by_role("button", name=PAY_BUTTON).click()
    kakao_window(page).get_by_role("button", name="Decline").click()
    expect(page.get_by_role("heading", name="Payment failed")).to_be_visible()
    expect(page.get_by_text("결제 승인이 거절되었습니다")).to_be_visible()
    failed = the_order(shop)

    page.get_by_role("button", name="Try again").click()
    page.get_by_role("button", name=PAY_BUTTON).click()
    kakao_window(page).get_by_role("button", name="Approve").click()
    expect(page.get_by_role("heading", name=PAID)).to_be_visible()
    paid = the_order(shop)
    assert paid.merchant_uid != failed.merchant_uid
    assert paid.amount == failed.amount
    assert stock_of(shop, tea.id) == tea.stock - 1


def test_amount_changed_in_the_browser_never_pays(shop, page: Page):
    tea = to_payment_step(shop, page)
    page.locator("#payment-params").evaluate(
        "el => { const p = JSON.parse(el.textContent); p.amount = 100;"
        " el.textContent = JSON.stringify(p); }"
    )
    page.get_by_role("button", name=PAY_BUTTON).click()
    expect(page.get_by_role("alert")).to_contain_text("일치하지 않")
    expect(page.locator("iframe[title='Kakao Pay']")).to_have_count(0)
    order = the_order(shop)
    assert order.status == OrderStatus.PENDING
    assert stock_of(shop, tea.id) == tea.stock


def test_a_second_tab_cannot_pay_the_same_order_again(shop, page: Page):
    tea = to_payment_step(shop, page)
    second = page.context.new_page()
    second.goto(page.url)

    page.get_by_role("button", name=PAY_BUTTON).click()
    kakao_window(page).get_by_role("button", name="Approve").click()
    expect(page.get_by_role("heading", name=PAID)).to_be_visible()

    second.get_by_role("button", name=PAY_BUTTON).click()
    expect(second.get_by_role("alert")).to_contain_text("이미 결제가 이루어진 거래건입니다.")
    with shop.app.app_context():
        assert db.session.scalar(select(db.func.count(Order.id))) == 1
    assert stock_of(shop, tea.id) == tea.stock - 1
