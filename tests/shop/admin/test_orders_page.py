"""The admin's orders page (search, status filter, pages) and an order's verification timeline."""

import itertools
import re
from datetime import timedelta

import pytest

from shop.admin.routes import ORDERS_PER_PAGE
from shop.extensions import db
from shop.models import Order, OrderStatus, utcnow

ORDER_LINK = re.compile(r'<a href="/admin/orders/\d+">([^<]+)</a>')
NUMBERS = itertools.count(1)


def add_orders(app, count: int, **fields) -> list[str]:
    """``count`` orders straight into the database; their merchant_uids, oldest first."""
    made = []
    with app.app_context():
        for _ in range(count):
            values = {
                "merchant_uid": f"order-{next(NUMBERS)}",
                "name": "한라봉 외 1건",
                "amount": 10_000,
                "buyer_name": "이서준",
                "buyer_email": "seojun@example.com",
                "buyer_tel": "010-0000-0000",
                "buyer_addr": "부산",
                "buyer_postcode": "48058",
                "payable_until": utcnow() + timedelta(minutes=30),
                **fields,
            }
            db.session.add(Order(**values))
            made.append(values["merchant_uid"])
        db.session.commit()
    return made


def listed(admin, **query) -> list[str]:
    response = admin.client.get("/admin/orders", query_string=query)
    assert response.status_code == 200, response.get_data(as_text=True)
    return ORDER_LINK.findall(response.get_data(as_text=True))


def test_orders_are_listed_newest_first_in_pages_that_keep_the_filter(admin, app):
    older = add_orders(app, 3, status=OrderStatus.PAID)
    newer = add_orders(app, ORDERS_PER_PAGE, status=OrderStatus.PAID)
    failed = add_orders(app, 2, status=OrderStatus.FAILED)

    first = admin.client.get("/admin/orders", query_string={"status": "paid"})
    page = first.get_data(as_text=True)
    assert ORDER_LINK.findall(page) == newer[::-1]
    assert f"{ORDERS_PER_PAGE + 3} orders · page 1 of 2" in page
    assert 'href="/admin/orders?page=2&amp;status=paid">Next page</a>' in page
    assert listed(admin, status="paid", page=2) == older[::-1]
    assert listed(admin)[:2] == failed[::-1]


@pytest.mark.parametrize(
    ("search", "expected"),
    [
        ("serves-7", ["serves-7"]),
        ("SERVES", ["serves-8", "serves-7"]),
        ("park@EXAMPLE", ["serves-8"]),
        ("김도윤", ["serves-7"]),
        ("imp_123456789012", ["serves-7"]),
        # A pattern character is searched for as itself, not as "anything".
        ("%", []),
        ("_", []),
    ],
)
def test_the_search_finds_orders_by_number_payment_buyer_email_or_name(
    admin, app, search, expected
):
    add_orders(app, 2)
    add_orders(
        app,
        1,
        merchant_uid="serves-7",
        buyer_name="김도윤",
        imp_uid="imp_123456789012",
        status=OrderStatus.PAID,
    )
    add_orders(app, 1, merchant_uid="serves-8", buyer_email="park@example.com")
    assert listed(admin, q=search) == expected


def test_search_and_status_together(admin, app):
    add_orders(app, 1, merchant_uid="serves-1", status=OrderStatus.PAID)
    add_orders(app, 1, merchant_uid="serves-2", status=OrderStatus.CANCELLED)
    assert listed(admin, q="serves", status="cancelled") == ["serves-2"]
    page = admin.client.get("/admin/orders", query_string={"q": "nothing-like-it"})
    assert "No orders match." in page.get_data(as_text=True)


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"status": "shipped"}, "Not a valid choice."),
        ({"page": "0"}, "Pages are numbered from 1 to 1,000,000."),
        ({"page": str(10**30)}, "Pages are numbered from 1 to 1,000,000."),
        ({"page": "two"}, "Not a valid integer value."),
        ({"q": "x" * 121}, "Search for at most 120 characters."),
    ],
)
def test_a_bad_search_is_a_400_that_says_why(admin, query, message):
    response = admin.client.get("/admin/orders", query_string=query)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)


def test_an_order_page_tells_the_verification_timeline_in_plain_words(admin, app, paid):
    admin.refund_at_portone(paid.imp_uid, 1_000)
    body = {"imp_uid": paid.imp_uid, "status": "cancelled"}
    assert admin.webhook(body).json == {"outcome": "refunded_in_part"}

    page = admin.client.get(f"/admin/orders/{paid.id}").get_data(as_text=True)
    timeline = page[page.index("Verification timeline") :]
    callback_at = timeline.index("The buyer&#39;s browser (PC callback)")
    webhook_at = timeline.index("PortOne&#39;s webhook")
    assert callback_at < webhook_at
    assert "Paid in full, the amount matches the order" in timeline[callback_at:webhook_at]
    assert "part of the payment refunded" in timeline[webhook_at:]
    assert paid.placed.merchant_uid in page
    assert f"{paid.placed.amount - 1_000:,}원" in page


def test_an_order_that_does_not_exist_is_a_404(admin):
    assert admin.client.get("/admin/orders/999999").status_code == 404
