"""A buyer in Chromium while PortOne fails on purpose: after approving, the order waits in
"Confirming your payment…" (never an error page, never "failed"), and once PortOne answers
again and ``flask reconcile`` has run, the page shows the order paid by itself."""

import pytest
from playwright.sync_api import Page, expect

from shop.models import OrderStatus
from tests.e2e.actions import kakao_window
from tests.e2e.test_checkout import PAID, stock_of, the_order, to_payment_step
from tests.sandbox_controls import arm_fault, control

CONFIRMING = "Confirming your payment…"


@pytest.mark.parametrize("kind", ["500", "malformed", "401"])
def test_an_unreachable_portone_keeps_the_order_confirming_until_it_settles(shop, page: Page, kind):
    tea = to_payment_step(shop, page)
    stock = stock_of(shop, tea.id)
    # From the moment the buyer approves: every call to PortOne fails, the webhook is lost.
    arm_fault(f"{shop.url}/portone-sandbox", kind="drop")
    arm_fault(f"{shop.url}/portone-sandbox", kind=kind, count=1000)
    kakao_window(page).get_by_role("button", name="Approve").click()

    expect(page.get_by_role("heading", name=CONFIRMING)).to_be_visible()
    expect(page.get_by_role("status").filter(has_text="waiting for Kakao Pay")).to_be_visible()
    expect(page.get_by_role("alert")).to_have_count(0)
    assert the_order(shop).status == OrderStatus.PENDING

    control("DELETE", f"{shop.url}/portone-sandbox/_sandbox/faults").raise_for_status()
    result = shop.app.test_cli_runner().invoke(args=["reconcile"])
    assert result.exit_code == 0, result.output

    # The page keeps asking the shop, and shows the verdict without a reload by the buyer.
    expect(page.get_by_role("heading", name=PAID)).to_be_visible(timeout=20_000)
    assert the_order(shop).status == OrderStatus.PAID
    assert stock_of(shop, tea.id) == stock - 1
