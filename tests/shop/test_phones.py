"""Phone numbers as Korean buyers type them, stored one way (010-1234-5678); nonsense refused."""

import pytest

from shop.phones import normalise_phone
from tests.shop.account_actions import customer, save_details
from tests.shop.actions import ShopActions

SAME_NUMBER = [
    "+82 10 1234 5678",
    "+82-10-1234-5678",
    "+82 010 1234 5678",
    "010 1234 5678",
    "010-1234-5678",
    "01012345678",
    "010.1234.5678",
    " 010-1234-5678 ",
]


@pytest.mark.parametrize("typed", SAME_NUMBER)
def test_a_mobile_number_however_typed_is_stored_dashed(typed):
    assert normalise_phone(typed) == "010-1234-5678"


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("02 123 4567", "02-123-4567"),
        ("0212345678", "02-1234-5678"),
        ("(02) 1234-5678", "02-1234-5678"),
        ("031-123-4567", "031-123-4567"),
        ("0701234 5678", "070-1234-5678"),
        ("+82 2 1234 5678", "02-1234-5678"),
    ],
)
def test_landlines_keep_their_area_code(typed, stored):
    assert normalise_phone(typed) == stored


@pytest.mark.parametrize(
    "typed",
    [
        "1234",
        "010-123-4567",  # an 010 number has four digits in the middle
        "0101234567890",
        "+1 555 123 4567",
        "02112345678",
        "010-1234-567８",  # a full-width digit
        "010-abcd-5678",
        "phone",
    ],
)
def test_nonsense_is_refused_with_a_message(typed):
    with pytest.raises(ValueError, match=r"^Enter a phone number like 010-1234-5678\.$"):
        normalise_phone(typed)


def _checkout(shop: ShopActions, **overrides):
    shop.add_to_cart("jeju-green-tea", 1)
    return shop.checkout(**overrides)


@pytest.mark.parametrize("typed", ["+82 10 1234 5678", "010 1234 5678", "01012345678"])
def test_the_checkout_stores_the_buyers_and_the_recipients_phone_dashed(shop, typed):
    response = _checkout(
        shop, buyer_tel=typed, same_as_buyer="", recipient_name="박서준", recipient_tel=typed
    )
    assert response.status_code == 303
    order = shop.last_order()
    assert (order.buyer_tel, order.recipient_tel) == ("010-1234-5678", "010-1234-5678")


def test_the_checkout_refuses_a_phone_that_is_not_one_and_keeps_what_was_typed(shop):
    response = _checkout(shop, buyer_tel="12-34", buyer_name="김민지 테스트")
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Enter a phone number like 010-1234-5678." in page
    assert 'value="12-34"' in page
    assert 'value="김민지 테스트"' in page
    assert shop.last_order() is None


def test_the_account_stores_its_phone_dashed_too(shop):
    customer(shop)
    assert save_details(shop, buyer_tel="+82 10 9876 5432").status_code == 303
    page = shop.client.get("/account/").get_data(as_text=True)
    assert 'value="010-9876-5432"' in page
