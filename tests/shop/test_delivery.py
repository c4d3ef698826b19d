"""The Korean checkout's delivery and consent: a recipient apart from the buyer, 상세주소,
배송 메모, and the payment consent (결제 동의), each refused clearly and losing nothing typed."""

import html
from datetime import timedelta

import pytest

from shop.extensions import db
from shop.models import Order, utcnow
from tests.shop.actions import BUYER, ShopActions

KOREAN = {"Accept-Language": "ko-KR,ko;q=0.9"}


@pytest.fixture
def shop(shop) -> ShopActions:
    shop.add_to_cart("jeju-green-tea", 1)
    return shop


def test_the_same_recipient_as_the_buyer_by_default(shop):
    assert shop.checkout(recipient_name="", recipient_tel="").status_code == 303
    order = shop.last_order()
    assert (order.recipient_name, order.recipient_tel) == (BUYER["buyer_name"], BUYER["buyer_tel"])
    assert order.delivery_memo is None


def test_another_recipient_with_the_address_detail_and_a_memo_of_ones_own(client, shop):
    response = shop.checkout(
        same_as_buyer="",
        recipient_name="박서준",
        recipient_tel="010 9876 5432",
        address_detail="101동 1004호",
        memo_choice="own",
        memo_own_words="공동현관 비밀번호 #1234",
    )
    assert response.status_code == 303
    order = shop.last_order()
    assert (order.buyer_name, order.recipient_name, order.recipient_tel) == (
        "김민지",
        "박서준",
        "010-9876-5432",
    )
    assert (order.address_detail, order.delivery_memo) == (
        "101동 1004호",
        "공동현관 비밀번호 #1234",
    )
    page = client.get(f"/orders/{order.token}/pay").get_data(as_text=True)
    assert f"박서준, {BUYER['buyer_addr']} 101동 1004호 ({BUYER['buyer_postcode']})" in page
    assert "010-9876-5432" in page
    assert "공동현관 비밀번호 #1234" in page


def test_a_common_memo_is_kept_in_korean_for_the_courier_and_shown_in_the_buyers_language(
    client, shop
):
    assert shop.checkout(memo_choice="security").status_code == 303
    order = shop.last_order()
    assert order.delivery_memo == "경비실에 맡겨 주세요"
    path = f"/orders/{order.token}/pay"
    assert "Leave it at the security office" in client.get(path).get_data(as_text=True)
    korean = client.get(path, headers=KOREAN).get_data(as_text=True)
    assert "경비실에 맡겨 주세요" in korean


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        (
            {"same_as_buyer": "", "recipient_name": "", "recipient_tel": "010-9876-5432"},
            "recipient_name",
            'Enter the recipient\'s name, or tick "Same as buyer".',
        ),
        (
            {"same_as_buyer": "", "recipient_name": "박서준", "recipient_tel": ""},
            "recipient_tel",
            'Enter the recipient\'s phone number, or tick "Same as buyer".',
        ),
        (
            {"same_as_buyer": "", "recipient_name": "박서준", "recipient_tel": "12"},
            "recipient_tel",
            "Enter a phone number like 010-1234-5678.",
        ),
        (
            {"memo_choice": "own", "memo_own_words": " "},
            "memo_own_words",
            "Write your delivery memo, or choose one from the list.",
        ),
        ({"memo_choice": "leave-it-anywhere"}, "memo_choice", "Not a valid choice."),
        (
            {"memo_choice": "own", "memo_own_words": "문" * 101},
            "memo_own_words",
            "Field cannot be longer",
        ),
        ({"address_detail": "호" * 101}, "address_detail", "Field cannot be longer"),
        (
            {"same_as_buyer": "", "recipient_name": "박" * 61, "recipient_tel": "010-9876-5432"},
            "recipient_name",
            "Field cannot be longer",
        ),
    ],
)
def test_delivery_details_that_cannot_be_used_are_refused_by_their_field(
    shop, fields, field, message
):
    response = shop.checkout(**fields)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert f'id="{field}-error"' in page
    assert message in html.unescape(page)
    assert shop.last_order() is None


def test_paying_needs_the_consent_and_a_refusal_loses_nothing_typed(shop):
    typed = {
        "same_as_buyer": "",
        "recipient_name": "박서준",
        "recipient_tel": "010-9876-5432",
        "address_detail": "101동 1004호",
        "memo_choice": "own",
        "memo_own_words": "문 앞에 두고 문자 주세요",
    }
    response = shop.post("/checkout", {**BUYER, **typed})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'id="consent-error"' in page
    assert "Agree to the terms of purchase and the payment to continue." in page
    for value in [*BUYER.values(), *typed.values()]:
        assert value in page, value
    assert '<option selected value="own">' in page
    assert shop.last_order() is None


def test_the_checkouts_script_is_told_the_consent_is_missing(shop):
    answer = shop.post(
        "/checkout", {**BUYER, "same_as_buyer": "y"}, headers={"Accept": "application/json"}
    )
    assert answer.status_code == 400
    assert set(answer.json["errors"]) == {"consent"}
    assert shop.last_order() is None


def test_the_consent_links_to_the_terms_privacy_and_refund_policy(client, shop):
    page = client.get("/checkout").get_data(as_text=True)
    assert '<label for="consent">I agree to the terms of purchase and the payment</label>' in page
    for path in ("/policies/terms", "/policies/privacy", "/policies/refunds"):
        assert f'href="{path}"' in page


def test_the_checkouts_number_fields_bring_up_a_number_keyboard(client, shop):
    page = client.get("/checkout").get_data(as_text=True)
    for name, mode, autocomplete in [
        ("buyer_tel", "tel", "tel"),
        ("recipient_tel", "tel", "shipping tel"),
        ("buyer_postcode", "numeric", "shipping postal-code"),
    ]:
        tag = next(t for t in page.split("<input")[1:] if f'name="{name}"' in t)
        assert f'inputmode="{mode}"' in tag, name
        assert f'autocomplete="{autocomplete}"' in tag, name


def test_a_retried_order_keeps_its_delivery(shop):
    shop.checkout(
        same_as_buyer="",
        recipient_name="박서준",
        recipient_tel="010-9876-5432",
        address_detail="101동 1004호",
        memo_choice="door",
    )
    first = shop.last_order()
    # Its time to be paid ran out: "Order again" places a new order at today's prices.
    with shop.app.app_context():
        db.session.get(Order, first.id).payable_until = utcnow() - timedelta(hours=1)
        db.session.commit()
    shop.client.get(f"/orders/{first.token}")
    assert shop.post(f"/orders/{first.token}/retry", {}).status_code == 303
    again = shop.last_order()
    assert again.id != first.id
    assert (again.recipient_name, again.address_detail, again.delivery_memo) == (
        "박서준",
        "101동 1004호",
        "문 앞에 놓아 주세요",
    )


def test_fields_hidden_by_same_as_buyer_or_a_common_memo_are_not_used(shop):
    response = shop.checkout(
        recipient_name="누" * 61, recipient_tel="not a phone", memo_own_words="문" * 101
    )
    assert response.status_code == 303
    order = shop.last_order()
    assert (order.recipient_name, order.recipient_tel) == (BUYER["buyer_name"], BUYER["buyer_tel"])
    assert order.delivery_memo is None
