"""Playwright helpers that answer the sandbox's Kakao Pay window as a buyer would, wherever it
opened: the overlay frame (``iframe[title="Kakao Pay"]``) on a PC, or the whole page on a phone.

    from portone_sandbox.playwright import approve

    page.get_by_role("button", name="Pay with Kakao Pay").click()
    approve(page, pay_with="card")

Each waits for the window by its "Pay with" choice (role and accessible name), makes the
decision, and returns once the window has handed the result back (the overlay closed, or the
phone sent on to ``m_redirect_url``). When no window opens in time, ``NoKakaoPayWindow`` says so.
"""

from playwright.sync_api import FrameLocator, Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

OVERLAY = 'iframe[title="Kakao Pay"]'
PAY_WITH = {"kakaomoney": "KakaoMoney", "card": "Card"}
# Milliseconds, as Playwright counts them.
TIMEOUT = 10_000


class NoKakaoPayWindow(AssertionError):
    """No Kakao Pay window opened within the time allowed."""


def approve(
    page: Page,
    pay_with: str = "kakaomoney",
    decline_later_charges: bool = False,
    timeout: float = TIMEOUT,
) -> None:
    """Approve with KakaoMoney or a card; for a billing key, optionally ticking "Decline later
    charges" (its later ``again`` and scheduled charges then fail)."""
    if pay_with not in PAY_WITH:
        raise ValueError(f"pay_with is 'kakaomoney' or 'card', not {pay_with!r}")
    window = kakao_pay_window(page, timeout)
    window.get_by_role("radio", name=PAY_WITH[pay_with], exact=True).check()
    if decline_later_charges:
        later = window.get_by_role("checkbox", name="Decline later charges", exact=True)
        if not later.count():
            raise ValueError(
                "'Decline later charges' is offered only when the window issues a billing key "
                "(IMP.request_pay with a customer_uid)"
            )
        later.check()
    _decide(page, window, "Approve", timeout)


def decline(page: Page, timeout: float = TIMEOUT) -> None:
    """Decline as the PG would: the payment fails with a ``fail_reason``."""
    _decide(page, kakao_pay_window(page, timeout), "Decline", timeout)


def cancel(page: Page, timeout: float = TIMEOUT) -> None:
    """Give up as the buyer would: ``사용자가 결제를 취소하셨습니다``."""
    _decide(page, kakao_pay_window(page, timeout), "Cancel", timeout)


def kakao_pay_window(page: Page, timeout: float = TIMEOUT) -> Page | FrameLocator:
    """The open window, ready for a decision: the overlay's frame, or the page itself."""
    overlay = page.locator(OVERLAY)
    choice = page.get_by_role("group", name="Pay with", exact=True)
    try:
        overlay.or_(choice).first.wait_for(state="visible", timeout=timeout)
    except PlaywrightTimeoutError:
        raise NoKakaoPayWindow(
            f"no Kakao Pay window opened within {timeout / 1000:g} s on {page.url}: neither the "
            f"overlay ({OVERLAY}) nor a page with the 'Pay with' choice"
        ) from None
    window = page.frame_locator(OVERLAY) if overlay.count() else page
    try:
        window.get_by_role("group", name="Pay with", exact=True).wait_for(timeout=timeout)
    except PlaywrightTimeoutError:
        raise NoKakaoPayWindow(
            f"the Kakao Pay overlay on {page.url} never offered the 'Pay with' choice: the "
            "request was refused before a payment existed (see the callback's error_msg)"
        ) from None
    return window


def _decide(page: Page, window: Page | FrameLocator, button: str, timeout: float) -> None:
    window.get_by_role("button", name=button, exact=True).click()
    if isinstance(window, FrameLocator):
        expect(page.locator(OVERLAY)).to_have_count(0, timeout=timeout)
    else:
        expect(page.get_by_role("group", name="Pay with", exact=True)).to_have_count(
            0, timeout=timeout
        )
