"""What a buyer does in Chromium, shared by the end-to-end tests and ``bench/checkout.py``."""

from playwright.sync_api import FrameLocator, Page, expect

from tests.language import t

BUYER = {
    "Name": "김민지",
    "Email": "minji@example.com",
    "Phone": "010-1234-5678",
    "Address": "서울특별시 강남구 테헤란로 152",
    "Postcode": "06236",
}
PASSWORD = "correct horse battery"


CONSENT = "I agree to the terms of purchase and the payment"


def fill_checkout(page: Page, lang: str = "en") -> None:
    """Give the buyer's details on the checkout page (delivered to the buyer, as "Same as
    buyer" is ticked to begin with), agree to pay, and continue: the order is placed and
    Kakao Pay's window opens on the same page."""
    give_details(page, lang)
    page.get_by_role("checkbox", name=t(CONSENT, lang)).check()
    # The page's script opens the window in place; pressed before it runs, the form posts.
    page.wait_for_load_state()
    page.get_by_role("button", name=t("Continue to Kakao Pay", lang)).click()


def give_details(page: Page, lang: str = "en") -> None:
    """Type the buyer's details and address on the checkout page, as ``BUYER`` has them."""
    for label, value in BUYER.items():
        page.get_by_label(t(label, lang), exact=True).fill(value)


def kakao_window(page: Page) -> FrameLocator:
    """The Kakao Pay window on a PC: the overlay's frame (on a phone it is the page itself)."""
    return page.frame_locator("iframe[title='Kakao Pay']")


def sign_up_with_details(
    page: Page, base: str, email: str = "minji@example.com", lang: str = "en"
) -> None:
    """Sign up at the shop at ``base`` and save the delivery details on the account page, in
    a browser of ``lang`` (the words as ``t()`` gives them)."""
    page.goto(base + "/")
    page.get_by_role("link", name=t("Sign up", lang)).click()
    page.get_by_label(t("Name", lang), exact=True).fill(BUYER["Name"])
    page.get_by_label(t("Email", lang), exact=True).fill(email)
    page.get_by_label(t("Password", lang), exact=True).fill(PASSWORD)
    page.get_by_role("button", name=t("Sign up", lang)).click()
    expect(page.get_by_role("heading", name=t("Your account", lang))).to_be_visible()
    for label in ("Phone", "Address", "Postcode"):
        page.get_by_label(t(label, lang), exact=True).fill(BUYER[label])
    page.get_by_role("button", name=t("Save details", lang)).click()
    expect(page.get_by_text(t("Your delivery details are saved.", lang))).to_be_visible()


def approve(window, pay_with: str = "KakaoMoney", decline_later: bool = False) -> None:
    """Decide in Kakao Pay's window: an overlay frame on a PC, the page itself on a phone."""
    expect(window.get_by_role("button", name="Approve")).to_be_visible()
    window.get_by_role("radio", name=pay_with).check()
    if decline_later:
        window.get_by_role("checkbox", name="Decline later charges").check()
    window.get_by_role("button", name="Approve").click()
