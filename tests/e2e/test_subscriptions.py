"""A subscriber in Chromium: subscribe in one Kakao Pay window (desktop and phone), renewals
charged when PortOne's clock reaches them, a declining key past due then ended, recovery by
replacing the key, cancel and resume."""

import pytest
import requests
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from shop.extensions import db
from shop.models import PeriodStatus, Subscription, SubscriptionPeriod
from shop.subscriptions.clock import to_unix
from shop.subscriptions.plans import PLANS, seed_plans
from tests.e2e.actions import approve, kakao_window, sign_up_with_details
from tests.language import BROWSER_LOCALES, kst_in
from tests.sandbox_controls import control, webhook_log

PLAN = PLANS[0]
DAY = 24 * 60 * 60
SUBSCRIBED = f"You subscribe to {PLAN['name']}. Thank you!"
DECLINED = "Kakao Pay declined the renewal: 잔액이 부족합니다."


@pytest.fixture
def phone(browser: Browser, playwright):
    # In English, as the page fixture's: a browser's own default language is not the tests'.
    context = browser.new_context(**playwright.devices["iPhone 13"], locale=BROWSER_LOCALES["en"])
    yield context.new_page()
    context.close()


@pytest.fixture
def plans(shop):
    with shop.app.app_context():
        seed_plans()
    return shop


def subscribe(page: Page, base: str, pay_with: str = "Card", decline_later: bool = False):
    """Sign up, open the plans from the menu, press "Subscribe" and approve in Kakao Pay."""
    sign_up_with_details(page, base)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Subscriptions").click()
    expect(page.get_by_role("heading", name=PLAN["name"])).to_be_visible()
    page.get_by_role("button", name="Subscribe").click()
    window = kakao_window(page)
    expect(window.get_by_text(f"{PLAN['price']:,}원", exact=True)).to_be_visible()
    approve(window, pay_with, decline_later)
    expect(page.get_by_text(SUBSCRIBED)).to_be_visible()


def latest(shop) -> Subscription:
    with shop.app.app_context():
        found = db.session.scalars(
            select(Subscription)
            .order_by(Subscription.id.desc())
            .options(selectinload(Subscription.periods).selectinload(SubscriptionPeriod.order))
        ).first()
        db.session.expunge_all()
        return found


def charge_due(shop, period: SubscriptionPeriod, after: int = 60) -> None:
    """Move PortOne's clock to ``after`` seconds past the period's charge, let it run, and
    wait until its webhook has reached the shop."""
    sandbox = f"{shop.url}/portone-sandbox/_sandbox"
    now = control("GET", f"{sandbox}/clock").json()["now"]
    control(
        "POST",
        f"{sandbox}/clock/advance",
        json={"seconds": to_unix(period.charge_at) - now + after},
    )
    control("POST", f"{sandbox}/schedules/run").raise_for_status()
    settled = webhook_log(f"{shop.url}/portone-sandbox", idle="true")
    assert settled["settled"], settled


def payments_at_portone(shop, merchant_uid: str) -> list[dict]:
    """Every payment PortOne (the sandbox's REST API) holds for ``merchant_uid``."""
    api = f"{shop.url}/portone-sandbox"
    auth = {"imp_key": "sandbox-key", "imp_secret": "sandbox-secret"}
    token = requests.post(f"{api}/users/getToken", json=auth, timeout=5).json()["response"]
    found = requests.get(
        f"{api}/payments/findAll/{merchant_uid}",
        headers={"Authorization": token["access_token"]},
        timeout=5,
    )
    return found.json()["response"]["list"] if found.status_code == 200 else []


def test_desktop_subscribe_then_the_renewal_is_charged_and_the_next_booked(plans, page: Page):
    subscribe(page, plans.url)
    status = page.get_by_role("region", name="Subscriptions")
    expect(status.get_by_text("Active")).to_be_visible()
    _, second = latest(plans).periods
    expect(status.get_by_text(f"{kst_in(plans.app, second.charge_at)} · 19,900원")).to_be_visible()
    expect(status.get_by_role("link", name="Receipt for period 1")).to_be_visible()

    charge_due(plans, second)
    page.reload()

    third = latest(plans).periods[2]
    expect(status.get_by_text(f"{kst_in(plans.app, third.charge_at)} · 19,900원")).to_be_visible()
    expect(status.get_by_role("link", name="Receipt for period 2")).to_be_visible()
    charges = status.get_by_role("table", name="Charges").get_by_role("row")
    expect(charges.filter(has_text="Paid 20")).to_have_count(2)
    assert third.status == PeriodStatus.BOOKED


def test_phone_subscribe_comes_back_through_the_redirect(plans, phone: Page):
    sign_up_with_details(phone, plans.url)
    phone.goto(plans.url + "/plans")
    phone.get_by_role("button", name="Subscribe").click()
    # On a phone Kakao Pay takes the whole page, then sends the browser back.
    expect(phone.get_by_role("heading", name="카카오페이 정기결제 등록")).to_be_visible()
    approve(phone, "KakaoMoney")
    expect(phone.get_by_text(SUBSCRIBED)).to_be_visible()
    expect(phone.get_by_role("heading", name="Your account")).to_be_visible()
    expect(phone.get_by_text("Kakao Pay (KakaoMoney)")).to_be_visible()
    assert [p.status for p in latest(plans).periods] == [PeriodStatus.PAID, PeriodStatus.BOOKED]


def test_a_declining_key_is_past_due_retried_then_ended(plans, page: Page):
    subscribe(page, plans.url, decline_later=True)
    status = page.get_by_role("region", name="Subscriptions")

    charge_due(plans, latest(plans).periods[1])
    page.reload()
    expect(status.get_by_text("Past due")).to_be_visible()
    expect(status.get_by_text(DECLINED)).to_be_visible()
    retry = latest(plans).periods[1]
    expect(status.get_by_text(f"{kst_in(plans.app, retry.charge_at)} · 19,900원")).to_be_visible()

    charge_due(plans, retry)
    page.reload()
    expect(status.get_by_text("for the last time")).to_be_visible()

    charge_due(plans, latest(plans).periods[1])
    page.reload()
    expect(status.get_by_text("Ended", exact=True)).to_be_visible()
    expect(status.get_by_text("Ended: 잔액이 부족합니다.")).to_be_visible()
    expect(status.get_by_role("button", name="Cancel subscription")).to_have_count(0)
    merchant_uid = latest(plans).periods[1].order.merchant_uid
    assert [p["status"] for p in payments_at_portone(plans, merchant_uid)] == ["failed"] * 3


def test_replacing_a_declining_key_pays_at_once(plans, page: Page):
    subscribe(page, plans.url, decline_later=True)
    charge_due(plans, latest(plans).periods[1])
    page.reload()
    expect(page.get_by_text("Past due")).to_be_visible()

    page.get_by_role("button", name="Replace").click()
    approve(kakao_window(page), "Card")
    expect(page.get_by_text("Your saved Kakao Pay was replaced.")).to_be_visible()
    status = page.get_by_role("region", name="Subscriptions")
    expect(status.get_by_text("Active")).to_be_visible()
    expect(status.get_by_role("link", name="Receipt for period 2")).to_be_visible()


def test_cancel_resume_and_cancel_again_then_nothing_more_is_charged(plans, page: Page):
    subscribe(page, plans.url)
    status = page.get_by_role("region", name="Subscriptions")
    second = latest(plans).periods[1]

    status.get_by_role("button", name="Cancel subscription").click()
    expect(page.get_by_text("Your subscription is cancelled")).to_be_visible()
    expect(
        status.get_by_text(f"Cancelled: ends on {kst_in(plans.app, second.starts_at)}")
    ).to_be_visible()
    assert latest(plans).periods[1].status == PeriodStatus.REVOKED

    status.get_by_role("button", name="Resume subscription").click()
    expect(page.get_by_text("Your subscription renews again.")).to_be_visible()
    expect(status.get_by_text("Active")).to_be_visible()
    expect(status.get_by_text(f"{kst_in(plans.app, second.charge_at)} · 19,900원")).to_be_visible()
    assert latest(plans).periods[1].status == PeriodStatus.BOOKED

    status.get_by_role("button", name="Cancel subscription").click()
    expect(status.get_by_text("Cancelled: ends on")).to_be_visible()
    # A day past the end of the paid month: PortOne has charged nothing.
    charge_due(plans, second, after=DAY)
    assert payments_at_portone(plans, second.order.merchant_uid) == []
    page.reload()
    expect(status.get_by_role("table", name="Charges").get_by_role("row")).to_have_count(2)
