"""What a shared link shows: each page's description and Open Graph tags, with absolute addresses
a link preview (KakaoTalk's) can fetch; and the favicon."""

from html.parser import HTMLParser

import pytest

from tests.language import t
from tests.shop.actions import ShopActions

BASE = "https://shop.example"
FIND_ORDER = "Look up an order with its order number and the email it was placed with."
TEA = "jeju-green-tea"


class Head(HTMLParser):
    """A page's <meta> tags by name or property, and its <link> tags by rel."""

    def __init__(self, page: str):
        super().__init__()
        self.meta: dict[str, str] = {}
        self.links: dict[str, list[str]] = {}
        self.feed(page)

    def handle_starttag(self, tag, attrs):
        found = dict(attrs)
        if tag == "meta" and ("property" in found or "name" in found):
            self.meta[found.get("property") or found["name"]] = found.get("content")
        if tag == "link":
            self.links.setdefault(found["rel"], []).append(found["href"])


def head(client, path: str, **headers) -> Head:
    response = client.get(path, headers=headers)
    assert response.status_code == 200, path
    return Head(response.get_data(as_text=True))


@pytest.fixture
def public(app_factory) -> ShopActions:
    """A buyer of a shop whose public address is ``BASE``."""
    app = app_factory(PUBLIC_BASE_URL=BASE)
    return ShopActions(app, app.test_client())


def test_the_catalog_describes_the_shop_with_its_card(public):
    tags = head(public.client, "/").meta
    assert tags["description"].startswith("Tea, fruit and crafts from small makers")
    assert tags["og:description"] == tags["description"]
    assert tags["og:title"] == "Products · Soso Market"
    assert tags["og:site_name"] == "Soso Market"
    assert tags["og:type"] == "website"
    assert tags["og:url"] == f"{BASE}/"
    assert tags["og:image"] == f"{BASE}/static/img/share/soso-market.jpg"
    assert tags["og:locale"] == "en_US"


def test_a_product_page_shares_the_product(public):
    item = public.product(TEA)
    tags = head(public.client, f"/products/{TEA}").meta
    assert tags["og:type"] == "product"
    assert tags["og:title"] == f"{item.name} · Soso Market"
    assert tags["description"].startswith("14,000원 · ")
    assert item.description[:40] in tags["description"]
    assert tags["og:description"] == tags["description"]
    # Link previews cannot draw the product's SVG: its JPEG twin is shared.
    assert tags["og:image"] == f"{BASE}/static/img/products/{TEA}.jpg"
    assert tags["og:url"] == f"{BASE}/products/{TEA}"


def test_a_name_with_quotes_stays_inside_its_tag(public):
    public.update_product(TEA, name='녹차 "첫물"', description='<b>"봄"</b> & 차')
    tags = head(public.client, f"/products/{TEA}").meta
    assert tags["og:title"] == '녹차 "첫물" · Soso Market'
    assert tags["description"] == '14,000원 · <b>"봄"</b> & 차'


def test_without_a_public_base_url_addresses_come_from_the_request(client):
    tags = head(client, "/plans?from=kakao").meta
    assert tags["og:url"] == "http://localhost/plans"
    assert tags["og:image"] == "http://localhost/static/img/share/soso-market.jpg"
    assert tags["description"].startswith("Subscribe once with Kakao Pay")


def test_a_product_whose_picture_has_no_twin_shares_the_picture_itself(public):
    public.update_product(TEA, image="img/logo.svg")
    tags = head(public.client, f"/products/{TEA}").meta
    assert tags["og:image"] == f"{BASE}/static/img/logo.svg"


def test_korean_pages_are_shared_in_korean(client, shop):
    tags = head(client, f"/products/{TEA}", **{"Accept-Language": "ko"}).meta
    assert tags["og:locale"] == "ko_KR"
    assert tags["og:title"] == f"{shop.product(TEA).name} · 소소상점"
    tags = head(client, "/orders/find", **{"Accept-Language": "ko"}).meta
    assert tags["description"] == t(FIND_ORDER, "ko")


@pytest.mark.parametrize("path", ["/", f"/products/{TEA}", "/plans", "/cart/", "/orders/find"])
def test_every_shared_picture_is_there(client, path):
    image = head(client, path).meta["og:image"].removeprefix("http://localhost")
    response = client.get(image)
    assert response.status_code == 200
    assert response.mimetype == "image/jpeg"


def test_pages_name_a_favicon_that_exists(client):
    links = head(client, "/").links
    icons = links["icon"] + links["apple-touch-icon"]
    assert any(icon.endswith(".ico") for icon in icons)
    assert any(icon.endswith(".svg") for icon in icons)
    for icon in icons:
        response = client.get(icon)
        assert response.status_code == 200, icon
        assert response.mimetype.startswith("image/"), icon


def test_the_favicon_is_also_where_browsers_look_first(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response.get_data()[:4] == b"\x00\x00\x01\x00"
