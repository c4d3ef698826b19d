"""The terms, privacy, refund policy and business-information pages, in Korean and English,
marked as samples, linked from every page's footer with the seller's details from config."""

import pytest

from tests.shop.page_words import latin_words

PAGES = {
    "/policies/terms": ("Terms of purchase", "이용약관"),
    "/policies/privacy": ("Privacy policy", "개인정보처리방침"),
    "/policies/refunds": ("Refund policy", "교환·환불 정책"),
    "/policies/business": ("Business information", "사업자 정보"),
}
KOREAN = {"Accept-Language": "ko-KR,ko;q=0.9"}


@pytest.mark.parametrize("path", PAGES)
def test_each_policy_page_in_english_is_marked_as_a_sample(client, path):
    response = client.get(path)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f"<h1>{PAGES[path][0]}</h1>" in page
    assert "<strong>Sample text.</strong>" in page


@pytest.mark.parametrize("path", PAGES)
def test_each_policy_page_in_korean_is_marked_as_a_sample_and_all_korean(client, path):
    response = client.get(path, headers=KOREAN)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f"<h1>{PAGES[path][1]}</h1>" in page
    assert "<strong>샘플 문서입니다.</strong>" in page
    assert latin_words(page, {"KST"}) == []


def test_the_terms_state_the_shipping_rule_of_the_config(app_factory):
    client = app_factory(SHIPPING_FEE=2500, FREE_SHIPPING_FROM=40000).test_client()
    page = client.get("/policies/terms").get_data(as_text=True)
    assert "The shipping fee is 2,500원 per order, and free for orders of 40,000원" in page


@pytest.mark.parametrize("path", ["/", "/cart/", "/policies/terms", "/no-such-page"])
def test_every_page_links_the_policies_from_its_footer(client, path):
    page = client.get(path).get_data(as_text=True)
    footer = page[page.index('<footer class="site-footer">') :]
    for link, (name, _) in PAGES.items():
        assert f'href="{link}"' in footer
        assert name in footer


def test_the_footer_shows_the_sellers_details_from_config(app_factory):
    client = app_factory(
        BUSINESS_NAME="주식회사 예시",
        BUSINESS_REGISTRATION_NUMBER="123-45-67890",
        MAIL_ORDER_REGISTRATION="제2027-서울중구-1234호",
    ).test_client()
    footer = client.get("/", headers=KOREAN).get_data(as_text=True).split("site-footer")[-1]
    for shown in (
        '상호: <span translate="no">주식회사 예시</span>',
        '사업자등록번호: <span translate="no">123-45-67890</span>',
        '통신판매업 신고번호: <span translate="no">제2027-서울중구-1234호</span>',
        "대표자: ",
        "사업장 주소: ",
        "고객센터 전화: ",
    ):
        assert shown in footer
