"""Fixtures for the admin's tests: an admin's browser beside the buyer's (``shop``), and an
order the buyer has paid."""

import pytest

from tests.shop.account_actions import sign_up
from tests.shop.admin.actions import ADMIN_EMAIL, PaidOrder, pay_order


@pytest.fixture
def open_browser(shop):
    """Opens another browser on the same shop: its own cookies, session and cart."""

    def new_browser():
        return type(shop)(shop.app, shop.app.test_client())

    return new_browser


@pytest.fixture
def admin(open_browser, runner):
    """An admin, logged in, in a browser of their own: signed up, then promoted by the command."""
    staff = open_browser()
    assert sign_up(staff, ADMIN_EMAIL).status_code == 303
    result = runner.invoke(args=["create-admin", ADMIN_EMAIL])
    assert result.exit_code == 0, result.output
    return staff


@pytest.fixture
def paid(shop) -> PaidOrder:
    """An order of two items the buyer (``shop``) has paid through the Kakao Pay window."""
    return pay_order(shop)
