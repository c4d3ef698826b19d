"""What a buyer does in Chromium, shared by the end-to-end tests and ``bench/checkout.py``."""

from playwright.sync_api import FrameLocator, Page, expect

BUYER = {
    "Name": "김민지",
    "Email": "minji@example.com",
    "Phone": "010-1234-5678",
    "Address": "서울특별시 강남구 테헤란로 152",
    "Postcode": "06236",
}
PASSWORD = "correct horse battery"


def fill_checkout(page: Page) -> None:
    """Give the buyer's details on the checkout page and continue: the order is placed and
    Kakao Pay's window opens on the same page."""
    for label, value in BUYER.items():
        page.get_by_label(label, exact=True).fill(value)
    page.get_by_role("button", name="Continue to Kakao Pay").click()


def kakao_window(page: Page) -> FrameLocator:
    """The Kakao Pay window on a PC: the overlay's frame (on a phone it is the page itself)."""
    return page.frame_locator("iframe[title='Kakao Pay']")


def sign_up_with_details(page: Page, base: str, email: str = "minji@example.com") -> None:
    """Sign up at the shop at ``base`` and save the delivery details on the account page."""
    page.goto(base + "/")
    page.get_by_role("link", name="Sign up").click()
    page.get_by_label("Name").fill(BUYER["Name"])
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign up").click()
    expect(page.get_by_role("heading", name="Your account")).to_be_visible()
    for label in ("Phone", "Address", "Postcode"):
        page.get_by_label(label, exact=True).fill(BUYER[label])
    page.get_by_role("button", name="Save details").click()
    expect(page.get_by_text("Your delivery details are saved.")).to_be_visible()


def approve(window, pay_with: str = "KakaoMoney", decline_later: bool = False) -> None:
    """Decide in Kakao Pay's window: an overlay frame on a PC, the page itself on a phone."""
    expect(window.get_by_role("button", name="Approve")).to_be_visible()
    window.get_by_role("radio", name=pay_with).check()
    if decline_later:
        window.get_by_role("checkbox", name="Decline later charges").check()
    window.get_by_role("button", name="Approve").click()
