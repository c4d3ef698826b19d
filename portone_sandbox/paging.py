"""PortOne's paged lists: ``{total, previous, next, list}``, read with ``page`` and ``limit``."""

from sqlalchemy import func, select

from portone_sandbox.errors import BadParameter
from portone_sandbox.models import db
from portone_sandbox.params import Params

MAX_LIMIT = 1000


def paged(query, params: Params, *options) -> dict:
    """One page of ``query``'s rows as PortOne lists them (each row's ``to_api()``), loaded with
    ``options``; previous and next are 0 when there is none."""
    page = params.integer("page", 1, minimum=1)
    limit = params.integer("limit", 20, minimum=1, maximum=MAX_LIMIT)
    total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    if page > 1 and (page - 1) * limit >= total:
        raise BadParameter("page 파라메터가 데이터 범위를 벗어났습니다.")
    found = db.session.scalars(
        query.options(*options).limit(limit).offset((page - 1) * limit)
    ).all()
    return {
        "total": total,
        "previous": page - 1 if page > 1 else 0,
        "next": page + 1 if page * limit < total else 0,
        "list": [row.to_api() for row in found],
    }
