"""A subscriber, for the HTTP tests: the plans page's window, its two doors, cancel and resume;
PortOne's clock and due schedules; what the shop and PortOne then hold."""

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from shop.extensions import db
from shop.models import Order, Subscription, SubscriptionPeriod, User
from shop.subscriptions.plans import PLANS, seed_plans
from tests.sandbox_controls import AUTHORIZATION
from tests.shop.account_actions import customer
from tests.shop.actions import SANDBOX, ShopActions

PLAN = PLANS[0]
PRICE = PLAN["price"]
DAY = 24 * 60 * 60


def with_plans(app: Flask) -> None:
    with app.app_context():
        seed_plans()


def subscriber(app: Flask, email: str = "minji@example.com") -> ShopActions:
    """A signed-up shopper with delivery details, in a browser of their own."""
    with_plans(app)
    return customer(ShopActions(app, app.test_client()), email)


def window_params(shop: ShopActions, slug: str = PLAN["slug"]):
    """What "Subscribe" gets from the shop: the response, whose JSON has the window's params."""
    return shop.post(f"/plans/{slug}/subscribe", {}, headers={"Accept": "application/json"})


def complete(shop: ShopActions, query: dict, phone: bool = False):
    """The window's result reaching the shop: the PC callback (POST) or phone redirect (GET)."""
    if phone:
        return shop.client.get("/subscriptions/complete", query_string=query)
    return shop.client.post(
        "/subscriptions/complete",
        json={"imp_uid": query.get("imp_uid"), "merchant_uid": query.get("merchant_uid")},
        headers={"X-CSRFToken": shop.csrf_token()},
    )


def subscribe(
    shop: ShopActions,
    decision: str = "approve",
    pay_with: str = "card",
    decline_charges: bool = False,
    phone: bool = False,
) -> dict:
    """Press "Subscribe", decide in Kakao Pay's window, and come back; the window's query."""
    answer = window_params(shop)
    assert answer.status_code == 200, answer.get_data(as_text=True)
    query = shop.decide_in_window(answer.json["params"], decision, pay_with, decline_charges)
    complete(shop, query, phone)
    return query


def run_due(shop: ShopActions, seconds: int) -> None:
    """Move PortOne's clock on by ``seconds`` and run every schedule then due."""
    shop.advance_sandbox_clock(seconds)
    ran = shop.client.post(f"{SANDBOX}/_sandbox/schedules/run", headers=AUTHORIZATION)
    assert ran.status_code == 200, ran.get_data(as_text=True)


def portone_call(app: Flask, method: str, path: str, **kwargs):
    """PortOne's answer (the mounted sandbox's REST API), as a merchant's server would ask."""
    client = app.test_client()
    auth = client.post(
        f"{SANDBOX}/users/getToken", json={"imp_key": "sandbox-key", "imp_secret": "sandbox-secret"}
    ).json["response"]
    headers = {"Authorization": auth["access_token"]}
    return client.open(f"{SANDBOX}{path}", method=method, headers=headers, **kwargs)


def booking(app: Flask, merchant_uid: str) -> dict | None:
    """PortOne's latest booking of ``merchant_uid``, or None."""
    answer = portone_call(app, "GET", f"/subscribe/payments/schedule/{merchant_uid}")
    return answer.json["response"] if answer.status_code == 200 else None


def payments_of(app: Flask, merchant_uid: str) -> list[dict]:
    """Every payment PortOne holds for ``merchant_uid``."""
    answer = portone_call(app, "GET", f"/payments/findAll/{merchant_uid}")
    return answer.json["response"]["list"] if answer.status_code == 200 else []


def webhook_of(app: Flask, merchant_uid: str) -> dict:
    """The webhook body PortOne sends about the latest run of ``merchant_uid``'s booking."""
    booked = booking(app, merchant_uid)
    assert booked is not None, merchant_uid
    assert booked["imp_uid"], booked
    return {"imp_uid": booked["imp_uid"], "merchant_uid": merchant_uid, "status": "paid"}


def subscription(app: Flask, email: str = "minji@example.com") -> Subscription:
    """The account's latest subscription, with its periods and their orders, as stored now."""
    with app.app_context():
        found = db.session.scalars(
            select(Subscription)
            .join(User)
            .where(User.email == email)
            .order_by(Subscription.id.desc())
            .options(
                selectinload(Subscription.plan),
                selectinload(Subscription.periods).selectinload(SubscriptionPeriod.order),
            )
        ).first()
        assert found is not None, email
        db.session.expunge_all()
        return found


def period(app: Flask, merchant_uid: str) -> SubscriptionPeriod:
    with app.app_context():
        found = db.session.scalar(
            select(SubscriptionPeriod)
            .join(Order)
            .where(Order.merchant_uid == merchant_uid)
            .options(selectinload(SubscriptionPeriod.order))
        )
        assert found is not None, merchant_uid
        db.session.expunge_all()
        return found
