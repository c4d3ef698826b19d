"""End-to-end: the whole shop, embedded sandbox included, served on a free port to Chromium."""

import pytest
from playwright.sync_api import Page

from shop import create_app
from shop.catalog.seed import seed_catalog
from shop.extensions import db
from tests.conftest import LiveServer
from tests.sandbox_controls import reset_sandbox

BUYER = {
    "Name": "김민지",
    "Email": "minji@example.com",
    "Phone": "010-1234-5678",
    "Address": "서울특별시 강남구 테헤란로 152",
    "Postcode": "06236",
}


@pytest.fixture(scope="session")
def shop_server(tmp_path_factory):
    data = tmp_path_factory.mktemp("e2e")
    app = create_app(
        {
            "SECRET_KEY": "e2e-secret",
            "DATABASE_URL": f"sqlite:///{data / 'shop.sqlite3'}",
            "SANDBOX_DATABASE_URL": f"sqlite:///{data / 'sandbox.sqlite3'}",
        }
    )
    server = LiveServer(app).start()
    yield server
    server.stop()


@pytest.fixture
def shop(shop_server):
    """The live shop with a freshly seeded catalog and an empty sandbox."""
    reset_sandbox(f"{shop_server.url}/portone-sandbox")
    with shop_server.app.app_context():
        db.drop_all()
        db.create_all()
        seed_catalog()
    return shop_server


def fill_checkout(page: Page) -> None:
    for label, value in BUYER.items():
        page.get_by_label(label, exact=True).fill(value)
    page.get_by_role("button", name="Continue to Kakao Pay").click()


def kakao_window(page: Page):
    """The Kakao Pay window on a PC: the overlay's frame (on a phone it is the page itself)."""
    return page.frame_locator("iframe[title='Kakao Pay']")
