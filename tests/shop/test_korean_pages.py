"""Every page of the shop, in Korean, in each state a buyer or an admin meets it, shows no
English word: what it says is in the catalog and translated (``tests/shop/page_words.py``)."""

import pytest

from tests.shop.account_actions import customer, save_kakao_pay, sign_up
from tests.shop.actions import ELSEWHERE, ShopActions
from tests.shop.admin.actions import ADMIN_EMAIL, pay_order, refund
from tests.shop.page_words import latin_words

# Written so in Korean too: the time zone after every time, a PC (the admin's timeline), and the
# card issuers whose names PortOne gives with Latin letters (KB국민카드, NH농협카드).
ALLOWED = {"KST", "PC", "KB", "NH"}


def in_korean(shop: ShopActions) -> ShopActions:
    shop.client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "ko-KR,ko;q=0.9"
    return shop


@pytest.fixture
def buyer(shop) -> ShopActions:
    return in_korean(shop)


@pytest.fixture
def admin(app, runner) -> ShopActions:
    staff = in_korean(ShopActions(app, app.test_client()))
    assert sign_up(staff, ADMIN_EMAIL).status_code == 303
    assert runner.invoke(args=["create-admin", ADMIN_EMAIL]).exit_code == 0
    return staff


def english_left(pages: dict) -> dict:
    """Each page (name → response) with the texts on it that hold English words."""
    return {
        name: found
        for name, response in pages.items()
        if (found := latin_words(response.get_data(as_text=True), ALLOWED))
    }


def test_a_guests_pages_are_all_korean(buyer):
    get = buyer.client.get
    pages = {
        "catalog": get("/"),
        "search": get("/?q=%EC%A0%9C%EC%A3%BC"),
        "search with no results": get("/", query_string={"q": "없는 물건"}),
        "search too long": get("/", query_string={"q": "차" * 101}),
        "no such page of products": get("/?page=x"),
        "product": get("/products/jeju-green-tea"),
        "sold out product": get("/products/indigo-handkerchief"),
        "empty cart": get("/cart/"),
        "checkout with an empty cart": get("/checkout", follow_redirects=True),
        "no such product": get("/products/nothing-here"),
        "a refused quantity": buyer.add_to_cart("jeju-green-tea", 1000),
    }
    buyer.add_to_cart("jeju-green-tea", 2)
    pages["cart"] = get("/cart/")
    pages["checkout"] = get("/checkout")
    pages["checkout with errors"] = buyer.checkout(buyer_email="not an email", buyer_tel="")
    pages["no CSRF token"] = buyer.client.post(
        "/cart/add", data={"product_id": "1"}, headers=ELSEWHERE
    )
    pages["wrong method"] = get("/cart/add")

    pending = buyer.place()
    pages["payment page"] = get(f"/orders/{pending.token}/pay", follow_redirects=True)
    pages["pending order"] = get(f"/orders/{pending.token}")
    declined = buyer.pay(pending.merchant_uid, pending.amount, decision="decline")
    pages["failed order"] = buyer.redirect_door(declined)
    pages["failed order"] = get(f"/orders/{pending.token}")

    paid = buyer.place()
    approved = buyer.pay(paid.merchant_uid, paid.amount)
    pages["paid order"] = buyer.redirect_door(approved)
    pages["paid order"] = get(f"/orders/{paid.token}")
    buyer.console_cancel(approved["imp_uid"])
    buyer.webhook({"imp_uid": approved["imp_uid"]})
    pages["cancelled order"] = get(f"/orders/{paid.token}")

    assert english_left(pages) == {}


def test_an_account_holders_pages_are_all_korean(buyer):
    get = buyer.client.get
    pages = {
        "sign up": get("/account/signup"),
        "log in": get("/account/login"),
        "sign up refused": buyer.post("/account/signup", {"email": "x"}),
        "log in refused": buyer.post("/account/login", {"email": "a@b.kr", "password": "x"}),
    }
    customer(buyer)
    pages["account"] = get("/account/")
    pages["details refused"] = buyer.post("/account/details", {"buyer_tel": "x"})
    pages["no orders"] = get("/account/orders")
    save_kakao_pay(buyer)
    pages["account with Kakao Pay"] = get("/account/")
    pages["product with one-click buying"] = get("/products/jeju-green-tea")
    pages["remove Kakao Pay?"] = get("/account/kakao-pay/remove")
    buyer.place()
    pages["orders"] = get("/account/orders")
    pages["logged out"] = buyer.post("/account/logout", {}, follow_redirects=True)

    assert english_left(pages) == {}


def test_an_admins_pages_are_all_korean(shop, admin):
    paid = pay_order(shop)
    get = admin.client.get
    pages = {
        "orders": get("/admin/orders"),
        "no orders match": get("/admin/orders?q=nothing"),
        "bad page": get("/admin/orders?page=0"),
        "order": get(f"/admin/orders/{paid.id}"),
        "refund refused": refund(admin, paid.id, "ten"),
    }
    refund(admin, paid.id, 1_000)
    pages["refunded in part"] = get(f"/admin/orders/{paid.id}")

    assert english_left(pages) == {}


def test_the_catalogs_pages_are_korean(app_factory):
    shop = in_korean(ShopActions(app := app_factory(CATALOG_PAGE_SIZE=4), app.test_client()))
    pages = {f"page {number}": shop.client.get(f"/?page={number}") for number in (1, 2, 3)}
    assert all('aria-label="Page' not in page.text for page in pages.values())
    assert english_left(pages) == {}
