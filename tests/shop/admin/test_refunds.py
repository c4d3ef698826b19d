"""An admin's refunds: partial and full, through ``POST /payments/cancel`` with a checksum,
recorded, read back from PortOne, and shown to the buyer."""

import html

import pytest

from shop.models import OrderStatus, RefundOutcome
from shop.portone import PortOneUnavailable
from tests.shop.admin.actions import (
    REASON,
    fetch_order,
    order_id_of,
    outcomes,
    refund,
    refunds,
    shown_balance,
)


def page_of(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def test_a_partial_refund_is_made_at_portone_and_shown_to_the_buyer(shop, admin, paid):
    response = refund(admin, paid.id, 1_000)
    assert (response.status_code, response.headers["Location"]) == (
        303,
        f"/admin/orders/{paid.id}",
    )
    left = paid.placed.amount - 1_000
    page = page_of(admin.client.get(response.headers["Location"]))
    assert (
        f"PortOne refunded 1,000원 of order {paid.placed.merchant_uid}. "
        f"Refunded in all: 1,000원; left: {left:,}원."
    ) in page
    assert "An admin's refund, read back" in page

    payment = shop.sandbox_payment(paid.imp_uid)
    assert (payment["status"], payment["cancel_amount"]) == ("paid", 1_000)
    assert [c["reason"] for c in payment["cancel_history"]] == [REASON]
    order = fetch_order(shop.app, paid.id)
    assert (order.status, order.refunded_amount) == (OrderStatus.PAID, 1_000)
    assert shop.product(paid.placed.slug).stock == paid.placed.stock - 2
    [made] = refunds(shop.app)
    assert (made.amount, made.checksum, made.outcome) == (
        1_000,
        paid.placed.amount,
        RefundOutcome.REFUNDED,
    )
    assert outcomes(shop.app, paid.imp_uid, "admin") == ["refunded_in_part"]

    buyer_page = page_of(shop.client.get(f"/orders/{paid.placed.token}"))
    history = buyer_page[buyer_page.index("<h2>Refunds</h2>") :]
    assert REASON in history
    assert "1,000원" in history
    assert f"{left:,}원" in buyer_page


def test_refunding_all_that_is_left_cancels_the_order_and_returns_its_stock_once(shop, admin, paid):
    assert refund(admin, paid.id, 1_000).status_code == 303
    rest = paid.placed.amount - 1_000
    assert refund(admin, paid.id, rest, reason="품절로 전액 환불").status_code == 303

    payment = shop.sandbox_payment(paid.imp_uid)
    assert (payment["status"], payment["cancel_amount"]) == ("cancelled", paid.placed.amount)
    order = fetch_order(shop.app, paid.id)
    assert (order.status, order.refunded_amount) == (OrderStatus.CANCELLED, paid.placed.amount)
    assert shop.product(paid.placed.slug).stock == paid.placed.stock
    # PortOne's cancelled webhook, late: nothing more to give back.
    assert shop.webhook({"imp_uid": paid.imp_uid}).json == {"outcome": "no_change"}
    assert shop.product(paid.placed.slug).stock == paid.placed.stock

    buyer_page = page_of(shop.client.get(f"/orders/{paid.placed.token}"))
    assert "Order cancelled" in buyer_page
    history = buyer_page[buyer_page.index("<h2>Refunds</h2>") :]
    assert REASON in history
    assert "품절로 전액 환불" in history
    assert f"{rest:,}원" in history

    again = admin.post(
        f"/admin/orders/{paid.id}/refund", {"amount": "1", "reason": "x", "balance": "0"}
    )
    assert again.status_code == 409
    assert "Only a paid order with something left to refund can be refunded." in page_of(again)
    assert len(refunds(shop.app)) == 2


def test_portone_refuses_a_refund_whose_checksum_is_out_of_date_and_the_page_says_so(
    shop, admin, paid
):
    # Refunded in PortOne's console; the webhook never came, so the shop believes the whole
    # amount is still refundable.
    shop.refund_at_portone(paid.imp_uid, 2_000)

    response = refund(admin, paid.id, 1_000)

    assert response.status_code == 409
    page = page_of(response)
    left = paid.placed.amount - 2_000
    assert "PortOne refused the refund: checksum" in page
    assert f"Its refundable balance was not the {paid.placed.amount:,}원 the shop had" in page
    payment = shop.sandbox_payment(paid.imp_uid)
    assert payment["cancel_amount"] == 2_000
    # Read back at once: the order and the form now show PortOne's balance.
    assert fetch_order(shop.app, paid.id).refunded_amount == 2_000
    assert f'name="balance" type="hidden" value="{left}"' in page
    [refused] = refunds(shop.app)
    assert (refused.outcome, refused.checksum) == (RefundOutcome.REFUSED, paid.placed.amount)
    assert "checksum" in refused.detail
    assert "<h2>Refunds</h2>" not in page_of(shop.client.get(f"/orders/{paid.placed.token}"))

    assert refund(admin, paid.id, 1_000).status_code == 303
    assert shop.sandbox_payment(paid.imp_uid)["cancel_amount"] == 3_000


def test_a_refund_from_a_page_opened_before_another_refund_is_not_sent(shop, admin, paid):
    stale = shown_balance(admin, paid.id)
    assert refund(admin, paid.id, 1_000).status_code == 303

    response = refund(admin, paid.id, 1_000, balance=stale)

    assert response.status_code == 409
    left = paid.placed.amount - 1_000
    assert f"This order changed since the page was opened: {left:,}원 is left" in page_of(response)
    assert shop.sandbox_payment(paid.imp_uid)["cancel_amount"] == 1_000
    assert len(refunds(shop.app)) == 1


@pytest.mark.parametrize(
    ("amount", "reason", "message"),
    [
        ("", REASON, "Enter the amount in won, in digits only"),
        ("1,000", REASON, "Enter the amount in won, in digits only"),
        ("-5", REASON, "Enter the amount in won, in digits only"),
        ("１０００", REASON, "Enter the amount in won, in digits only"),
        ("1e3", REASON, "Enter the amount in won, in digits only"),
        ("0", REASON, "Refund from 1원 to"),
        ("99999999", REASON, "Refund from 1원 to"),
        ("1000", "", "Say why you refund"),
        ("1000", "x" * 201, "Keep the reason to 200 characters."),
    ],
)
def test_a_bad_refund_is_a_400_beside_its_field_and_nothing_is_refunded(
    shop, admin, paid, amount, reason, message
):
    response = refund(admin, paid.id, amount, reason=reason)
    assert response.status_code == 400
    assert message in page_of(response)
    assert shop.sandbox_payment(paid.imp_uid)["cancel_amount"] == 0
    assert refunds(shop.app) == []


@pytest.mark.parametrize("balance", ["", "abc", "１０"])
def test_a_refund_without_the_pages_balance_is_refused(shop, admin, paid, balance):
    response = refund(admin, paid.id, 1_000, balance=balance)
    assert response.status_code == 400
    assert "Reload the page and try again." in page_of(response)
    assert shop.sandbox_payment(paid.imp_uid)["cancel_amount"] == 0


def test_an_order_not_paid_cannot_be_refunded(shop, admin):
    placed = shop.place()
    order_id = order_id_of(shop.app, placed.merchant_uid)
    page = page_of(admin.client.get(f"/admin/orders/{order_id}"))
    assert 'name="balance"' not in page
    response = admin.post(
        f"/admin/orders/{order_id}/refund",
        {"amount": "1000", "reason": REASON, "balance": str(placed.amount)},
    )
    assert response.status_code == 409
    assert refunds(shop.app) == []


class CancelTimesOut:
    """PortOne that answers reads, but whose answer to a cancel never arrives."""

    def __init__(self, client):
        self.client = client

    def __getattr__(self, name):
        return getattr(self.client, name)

    def cancel_payment(self, imp_uid: str, **kwargs):
        raise PortOneUnavailable("PortOne unreachable: ReadTimeout")


def test_a_refund_portone_did_not_answer_is_recorded_as_unconfirmed(shop, admin, paid):
    balance = shown_balance(admin, paid.id)
    working = shop.app.extensions["portone"]
    shop.app.extensions["portone"] = CancelTimesOut(working)
    try:
        response = refund(admin, paid.id, 1_000, balance=balance)
    finally:
        shop.app.extensions["portone"] = working

    assert response.status_code == 503
    assert "PortOne did not answer the refund" in page_of(response)
    [unconfirmed] = refunds(shop.app)
    assert unconfirmed.outcome == RefundOutcome.UNCONFIRMED
    order = fetch_order(shop.app, paid.id)
    assert (order.status, order.refunded_amount) == (OrderStatus.PAID, 0)
    assert "<h2>Refunds</h2>" not in page_of(shop.client.get(f"/orders/{paid.placed.token}"))
