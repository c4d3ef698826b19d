"""What a buyer does in Chromium, shared by the end-to-end tests and ``bench/checkout.py``."""

from playwright.sync_api import FrameLocator, Page

BUYER = {
    "Name": "김민지",
    "Email": "minji@example.com",
    "Phone": "010-1234-5678",
    "Address": "서울특별시 강남구 테헤란로 152",
    "Postcode": "06236",
}


def fill_checkout(page: Page) -> None:
    """Give the buyer's details on the checkout page and continue: the order is placed and
    Kakao Pay's window opens on the same page."""
    for label, value in BUYER.items():
        page.get_by_label(label, exact=True).fill(value)
    page.get_by_role("button", name="Continue to Kakao Pay").click()


def kakao_window(page: Page) -> FrameLocator:
    """The Kakao Pay window on a PC: the overlay's frame (on a phone it is the page itself)."""
    return page.frame_locator("iframe[title='Kakao Pay']")
