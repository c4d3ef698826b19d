"""The plans a buyer can subscribe to: data, loaded by ``flask --app shop seed``."""

from sqlalchemy import func, select

from shop.extensions import db
from shop.models import Plan

PLANS = [
    {
        "slug": "monthly-coffee-box",
        "name": "이달의 원두 커피 박스",
        "description": (
            "소규모 로스터리에서 그달 볶은 싱글 오리진 원두 두 가지(각 200g)를 "
            "매달 보내 드립니다. 홀빈 또는 분쇄를 고를 수 있습니다."
        ),
        "price": 19_900,
        "interval_months": 1,
    },
]


def seed_plans() -> int:
    """Insert the demo plans if the shop has none; return how many were inserted."""
    if db.session.scalar(select(func.count(Plan.id))):
        return 0
    db.session.add_all(Plan(**fields) for fields in PLANS)
    db.session.commit()
    return len(PLANS)
