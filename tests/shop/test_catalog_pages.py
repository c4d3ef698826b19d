"""The catalog a page at a time, and its search box."""

import re

import pytest

from shop.catalog.pages import page_numbers
from shop.catalog.seed import PRODUCTS

PAGE_SIZE = 4
CARD_NAME = re.compile(r'<h3 class="product-card-name" lang="ko">([^<]+)</h3>')
NO_SUCH_PAGE = "There is no such page of products: pages are numbered from 1."


@pytest.fixture
def app(app_factory):
    return app_factory(CATALOG_PAGE_SIZE=PAGE_SIZE)


def names(response) -> list[str]:
    return CARD_NAME.findall(response.get_data(as_text=True))


def pages_nav(response) -> str:
    match = re.search(r'<nav class="pagination" aria-label="Pages">.*?</nav>', response.text, re.S)
    assert match, "no pagination"
    return match.group(0)


def test_the_catalog_shows_a_page_at_a_time_in_the_order_products_were_added(client):
    shown = [names(client.get(f"/?page={number}")) for number in (1, 2, 3)]
    assert shown == [
        [fields["name"] for fields in PRODUCTS[start : start + PAGE_SIZE]]
        for start in range(0, len(PRODUCTS), PAGE_SIZE)
    ]
    assert names(client.get("/")) == shown[0]


def test_pages_are_linked_by_accessible_names(client):
    first = pages_nav(client.get("/"))
    assert "Previous page" not in first
    assert re.search(r'<a href="/\?page=2" rel="next">Next page</a>', first)
    assert re.search(r'<a href="/" aria-label="Page 1" aria-current="page">1</a>', first)
    assert re.search(r'<a href="/\?page=3" aria-label="Page 3">3</a>', first)

    last = pages_nav(client.get("/?page=3"))
    assert re.search(r'<a href="/\?page=2" rel="prev">Previous page</a>', last)
    assert "Next page" not in last
    assert re.search(r'aria-label="Page 3" aria-current="page"', last)
    assert re.search(r'<a href="/" rel="prev">Previous page</a>', pages_nav(client.get("/?page=2")))


def test_one_page_of_products_has_no_page_links(app_factory):
    client = app_factory(CATALOG_PAGE_SIZE=len(PRODUCTS)).test_client()
    assert len(names(client.get("/"))) == len(PRODUCTS)
    assert 'class="pagination"' not in client.get("/").text


def test_a_page_past_the_last_goes_to_the_last(client):
    response = client.get("/?page=99")
    assert response.status_code == 302
    assert response.headers["Location"] == "/?page=3"
    response = client.get("/?q=%EC%A0%9C%EC%A3%BC&page=7")
    assert response.status_code == 302
    assert response.headers["Location"] == "/?q=%EC%A0%9C%EC%A3%BC"


@pytest.mark.parametrize(
    "page", ["0", "-1", "abc", "1.5", "٣", "３", "+2", "", "1000000000", "9" * 40, "2&page=3"]
)
def test_a_page_number_that_is_no_page_is_a_clear_404(client, page):
    response = client.get("/", query_string={"page": page})
    assert response.status_code == 404
    assert NO_SUCH_PAGE in response.text


def test_page_numbers_show_the_ends_and_the_neighbours():
    assert page_numbers(1, 1) == [1]
    assert page_numbers(1, 3) == [1, 2, 3]
    assert page_numbers(1, 84) == [1, 2, 3, None, 84]
    assert page_numbers(40, 84) == [1, None, 38, 39, 40, 41, 42, None, 84]
    assert page_numbers(84, 84) == [1, None, 82, 83, 84]
    assert page_numbers(4, 84) == [1, 2, 3, 4, 5, 6, None, 84]


def test_the_search_box_is_labelled_search(client):
    page = client.get("/").text
    form = re.search(r'<form class="catalog-search"[^>]*>.*?</form>', page, re.S).group(0)
    assert 'method="get"' in form
    assert 'role="search"' in form
    assert '<label for="q">Search</label>' in form
    assert re.search(r'<input [^>]*id="q"[^>]*name="q"[^>]*type="search"', form)
    assert '<button type="submit" class="btn btn-secondary">Search</button>' in form


@pytest.mark.parametrize(
    ("words", "slugs"),
    [
        ("제주", ["jeju-green-tea", "jeju-hallabong"]),
        ("  꿀 ", ["jirisan-honey"]),
        # Descriptions too, and Latin letters in any case.
        ("ML", ["white-porcelain-mug", "perilla-oil"]),
        ("%", []),
        ("_", []),
    ],
)
def test_the_search_finds_products_by_name_or_description(client, words, slugs):
    response = client.get("/", query_string={"q": words})
    assert response.status_code == 200
    by_slug = {fields["slug"]: fields["name"] for fields in PRODUCTS}
    assert names(response) == [by_slug[slug] for slug in slugs]
    shown = words.strip()
    if slugs:
        count = len(slugs)
        noun = "product matches" if count == 1 else "products match"
        assert f"{count} {noun} “{shown}”." in response.text
    else:
        assert f"No products match “{shown}”." in response.text
    assert '<a href="/">Show all products</a>' in response.text
    assert f'value="{shown}"' in response.text


def test_search_results_have_pages_that_keep_the_search(client):
    # 20 tea bags, 500g twice, 350ml, 300ml: five, on two pages.
    response = client.get("/", query_string={"q": "0"})
    assert 'href="/?q=0&amp;page=2" rel="next"' in pages_nav(response)
    assert len(names(client.get("/?q=0&page=2"))) == 1


def test_a_search_too_long_says_so_under_the_box(client):
    response = client.get("/", query_string={"q": "차" * 101})
    assert response.status_code == 400
    assert '<p class="field-error" id="q-error" role="alert">' in response.text
    assert "Search for at most 100 characters." in response.text
    assert names(response) == []


def test_the_page_size_must_be_a_whole_number(app_factory):
    from shop.config import ConfigError

    for size in (0, "12", 1.5, True):
        with pytest.raises(ConfigError, match="CATALOG_PAGE_SIZE"):
            app_factory(CATALOG_PAGE_SIZE=size)
