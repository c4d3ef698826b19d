"""The demo catalog that ``flask --app shop seed`` loads into an empty shop."""

from shop.extensions import db
from shop.models import Product

PRODUCTS = [
    {
        "slug": "jeju-green-tea",
        "name": "제주 유기농 녹차",
        "description": (
            "제주 한라산 남쪽 자락의 유기농 차밭에서 봄에 처음 딴 잎으로 만든 녹차입니다. "
            "은은한 단맛과 고소한 향이 특징이며, 티백 20개가 들어 있습니다."
        ),
        "price": 14_000,
        "stock": 40,
        "image": "img/products/jeju-green-tea.svg",
    },
    {
        "slug": "jeju-hallabong",
        "name": "제주 한라봉 2kg",
        "description": (
            "햇볕을 듬뿍 받고 자란 제주 한라봉입니다. 새콤달콤한 과즙이 가득하며, "
            "크기에 따라 6–9과가 들어 있습니다."
        ),
        "price": 29_000,
        "stock": 12,
        "image": "img/products/jeju-hallabong.svg",
    },
    {
        "slug": "goheung-yuja-tea",
        "name": "고흥 유자청 500g",
        "description": (
            "고흥산 유자를 껍질째 채 썰어 설탕에 재운 유자청입니다. "
            "따뜻한 물에 두 숟가락이면 향긋한 유자차가 됩니다."
        ),
        "price": 18_000,
        "stock": 25,
        "image": "img/products/goheung-yuja-tea.svg",
    },
    {
        "slug": "icheon-rice",
        "name": "이천 햅쌀 4kg",
        "description": (
            "경기도 이천에서 올해 거둔 추청 햅쌀입니다. 윤기 있고 찰진 밥맛을 지키려고 "
            "주문을 받은 뒤에 도정해 보내 드립니다."
        ),
        "price": 32_000,
        "stock": 20,
        "image": "img/products/icheon-rice.svg",
    },
    {
        "slug": "jirisan-honey",
        "name": "지리산 야생화 꿀 500g",
        "description": (
            "지리산 자락에서 채밀한 야생화 꿀입니다. 여러 꽃의 향이 어우러진 깊은 맛으로, "
            "차나 요거트에 곁들이기 좋습니다."
        ),
        "price": 38_000,
        "stock": 3,
        "image": "img/products/jirisan-honey.svg",
    },
    {
        "slug": "white-porcelain-mug",
        "name": "백자 머그컵",
        "description": (
            "이천 도예 공방에서 빚은 백자 머그컵입니다. 손에 감기는 곡선과 은은한 "
            "유백색이 매력입니다. 용량 350ml."
        ),
        "price": 24_000,
        "stock": 15,
        "image": "img/products/white-porcelain-mug.svg",
    },
    {
        "slug": "hanji-notebook",
        "name": "한지 노트",
        "description": (
            "전주 전통 한지로 표지를 감싸 실로 엮은 노트입니다. "
            "만년필로 써도 번지지 않는 미색 내지 96쪽."
        ),
        "price": 9_500,
        "stock": 50,
        "image": "img/products/hanji-notebook.svg",
    },
    {
        "slug": "bangjja-brass-sujeo",
        "name": "방짜 유기 수저 세트",
        "description": (
            "안성 장인이 두드려 만든 방짜 유기 수저 한 벌입니다. 쓸수록 은은한 금빛이 살아납니다."
        ),
        "price": 45_000,
        "stock": 8,
        "image": "img/products/bangjja-brass-sujeo.svg",
    },
    {
        "slug": "perilla-oil",
        "name": "저온 압착 들기름 300ml",
        "description": (
            "국산 들깨를 낮은 온도에서 짜낸 들기름입니다. "
            "나물 무침과 비빔밥에 고소함을 더해 줍니다."
        ),
        "price": 16_500,
        "stock": 18,
        "image": "img/products/perilla-oil.svg",
    },
    {
        "slug": "indigo-handkerchief",
        "name": "쪽빛 순면 손수건",
        "description": ("쪽으로 천연 염색한 순면 손수건입니다. 부드럽고, 빨수록 색이 깊어집니다."),
        "price": 7_000,
        "stock": 0,
        "image": "img/products/indigo-handkerchief.svg",
    },
]


def seed_catalog() -> int:
    """Insert the demo products if the shop has none; return how many were inserted."""
    if db.session.scalar(db.select(db.func.count(Product.id))):
        return 0
    db.session.add_all(Product(**fields) for fields in PRODUCTS)
    db.session.commit()
    return len(PRODUCTS)
