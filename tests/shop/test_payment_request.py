"""``IMP.request_pay``'s parameters come from one function, payment labels from one table."""

import json
import re
from types import SimpleNamespace

import pytest

from shop.checkout import payment_request
from shop.checkout.payment_request import payment_method, request_pay_params
from shop.extensions import db
from shop.models import Order

PARAMS = re.compile(r'<script type="application/json" id="payment-params">(.*?)</script>', re.S)


def test_the_payment_page_asks_for_what_request_pay_params_builds(shop):
    placed = shop.place()
    page = shop.client.get(f"/orders/{placed.token}/pay").get_data(as_text=True)
    with shop.app.test_request_context():
        order = db.session.scalar(db.select(Order).filter_by(token=placed.token))
        expected = request_pay_params(order)

    assert json.loads(PARAMS.search(page).group(1)) == expected
    assert (expected["pg"], expected["amount"]) == ("kakaopay", placed.amount)


@pytest.mark.parametrize(
    ("pg_provider", "pay_method", "label"),
    [
        ("kakaopay", "point", "Kakao Pay (KakaoMoney)"),
        ("kakaopay", "card", "Kakao Pay (Card)"),
        ("kakaopay", "trans", "Kakao Pay"),
        ("tosspay", "card", "tosspay card"),
        (None, None, ""),
    ],
)
def test_a_payment_is_called_by_its_provider_and_method(pg_provider, pay_method, label):
    order = SimpleNamespace(pg_provider=pg_provider, pay_method=pay_method)
    assert payment_method(order) == label


def test_a_method_added_to_the_table_is_shown_on_the_order_page(shop, monkeypatch):
    labels = {**payment_request.METHOD_LABELS, ("kakaopay", "point"): "카카오페이 머니"}
    monkeypatch.setattr(payment_request, "METHOD_LABELS", labels)
    placed = shop.place()
    query = shop.pay(placed.merchant_uid, placed.amount, pay_with="point")
    shop.callback(query["imp_uid"])
    assert shop.order(placed.merchant_uid).pay_method == "point"

    page = shop.client.get(f"/orders/{placed.token}").get_data(as_text=True)
    assert "<dd>카카오페이 머니</dd>" in page
