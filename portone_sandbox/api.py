"""PortOne V1's REST API at its real paths: tokens, payments, prepare, cancel, billing keys, again.

Every answer is PortOne's envelope ``{"code", "message", "response"}``; refusals are raised as
``portone_sandbox.errors.ApiError``, which the app turns into that envelope.
"""

import re
import secrets

from flask import Blueprint, current_app, jsonify, request
from sqlalchemy import case, delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from portone_sandbox import billing, refunds, schedules, webhooks
from portone_sandbox.errors import (
    NO_PAYMENT,
    BadParameter,
    NotFound,
    PgRefused,
    Refused,
    Unauthorized,
)
from portone_sandbox.models import (
    ALREADY_PAID_MSG,
    BillingKey,
    Payment,
    Prepared,
    Token,
    db,
    merchant_uid_paid,
    now,
)
from portone_sandbox.paging import paged
from portone_sandbox.params import Params

bp = Blueprint("api", __name__)

TOKEN_LIFETIME = 30 * 60
# What getToken issues; anything else is no token, and never reaches a query.
ACCESS_TOKEN = re.compile(r"[0-9a-f]{40}")
TOKEN_GRACE = 60
TOKEN_EXTENSION = 5 * 60
PAYMENT_STATUSES = ("ready", "paid", "cancelled", "failed")
SEARCH_WINDOW = 90 * 24 * 60 * 60
SORTINGS = {
    "-started": Payment.started_at.desc(),
    "started": Payment.started_at.asc(),
    "-paid": Payment.paid_at.desc(),
    "paid": Payment.paid_at.asc(),
    "-updated": Payment.updated_at.desc(),
    "updated": Payment.updated_at.asc(),
}


def ok(response, status: int = 200):
    """PortOne's success envelope."""
    return jsonify(code=0, message=None, response=response), status


@bp.before_request
def require_token():
    """Every endpoint but getToken needs a live access token."""
    if request.endpoint == "api.get_token":
        return
    token = _sent_token()
    if not ACCESS_TOKEN.fullmatch(token) or not _live(token):
        raise Unauthorized()


def _sent_token() -> str:
    """The access token as PortOne takes it: ``Authorization: Bearer <token>`` or a bare
    ``Authorization: <token>``, else (older clients) ``X-ImpTokenHeader: <token>``, else the
    ``_token`` query parameter."""
    header = request.headers.get("Authorization", "").strip()
    if header:
        scheme, _, rest = header.partition(" ")
        return rest.strip() if scheme.lower() == "bearer" else header
    older = request.headers.get("X-ImpTokenHeader") or request.args.get("_token") or ""
    return older.strip()


@bp.post("/users/getToken")
def get_token():
    """Issue an access token, or hand back the live one (extended when in its last minute)."""
    params = Params.from_request()
    imp_key, imp_secret = params.string("imp_key"), params.string("imp_secret")
    if not imp_key or not imp_secret:
        raise Unauthorized("imp_key, imp_secret 파라메터가 누락되었습니다.")
    config = current_app.config
    if not (
        secrets.compare_digest(imp_key.encode(), config["SANDBOX_API_KEY"].encode())
        & secrets.compare_digest(imp_secret.encode(), config["SANDBOX_API_SECRET"].encode())
    ):
        raise Unauthorized("imp_key, imp_secret 인증에 실패하였습니다.")
    at = now()
    token = db.session.scalars(
        select(Token)
        .where(Token.api_key == imp_key, Token.expired_at > at)
        .order_by(Token.expired_at.desc())
    ).first()
    if token is None:
        token = Token(
            access_token=secrets.token_hex(20),
            api_key=imp_key,
            issued_at=at,
            expired_at=at + TOKEN_LIFETIME,
        )
        db.session.add(token)
    elif token.expired_at - at <= TOKEN_GRACE:
        token.expired_at += TOKEN_EXTENSION
    db.session.execute(delete(Token).where(Token.expired_at <= at))
    db.session.commit()
    return ok({"access_token": token.access_token, "now": at, "expired_at": token.expired_at})


@bp.get("/payments/<imp_uid>")
def payment(imp_uid: str):
    found = db.session.get(Payment, imp_uid)
    if found is None:
        raise NotFound(NO_PAYMENT)
    return ok(found.to_api())


@bp.get("/payments")
def payments():
    """Several payments at once; merchant_uid[] names each merchant_uid's latest payment."""
    params = Params.from_request()
    imp_uids, merchant_uids = params.strings("imp_uid"), params.strings("merchant_uid")
    if not imp_uids and not merchant_uids:
        raise BadParameter("imp_uid[] 또는 merchant_uid[] 파라메터가 필요합니다.")
    if len(imp_uids) + len(merchant_uids) > 100:
        raise BadParameter("한 번에 최대 100건까지 조회할 수 있습니다.")
    found = [db.session.get(Payment, imp_uid) for imp_uid in imp_uids]
    found += [_latest(_by_merchant_uid(uid, None), "-started") for uid in merchant_uids]
    unique = list({p.imp_uid: p for p in found if p is not None}.values())
    return _several(unique, missing=found.count(None), not_found=NO_PAYMENT)


@bp.get("/payments/find/<merchant_uid>", strict_slashes=False)
@bp.get("/payments/find/<merchant_uid>/<payment_status>", strict_slashes=False)
def find(merchant_uid: str, payment_status: str | None = None):
    params = Params.from_request()
    sorting = params.choice("sorting", tuple(SORTINGS), "-started")
    found = _latest(_by_merchant_uid(merchant_uid, payment_status), sorting)
    if found is None:
        raise NotFound(NO_PAYMENT)
    return ok(found.to_api())


@bp.get("/payments/findAll/<merchant_uid>", strict_slashes=False)
@bp.get("/payments/findAll/<merchant_uid>/<payment_status>", strict_slashes=False)
def find_all(merchant_uid: str, payment_status: str | None = None):
    params = Params.from_request()
    sorting = params.choice("sorting", tuple(SORTINGS), "-started")
    query = _by_merchant_uid(merchant_uid, payment_status)
    page = paged(_sorted(query, sorting), params, selectinload(Payment.cancels))
    if not page["total"]:
        raise NotFound(NO_PAYMENT)
    return ok(page)


@bp.get("/payments/status/<payment_status>")
def by_status(payment_status: str):
    """Payments by status, 90 days at most, each dated by its status's own timestamp."""
    if payment_status not in ("all", *PAYMENT_STATUSES):
        raise BadParameter(
            "payment_status는 all, ready, paid, cancelled, failed 중 하나여야 합니다."
        )
    params = Params.from_request()
    sorting = params.choice("sorting", tuple(SORTINGS), "-started")
    to = params.integer("to", now())
    since = params.integer("from", max(to - SEARCH_WINDOW, 0))
    if since > to:
        raise BadParameter("from은 to보다 클 수 없습니다.")
    if to - since > SEARCH_WINDOW:
        raise BadParameter("검색기간은 최대 90일입니다.")
    dated = case(
        (Payment.status == "paid", Payment.paid_at),
        (Payment.status == "cancelled", Payment.cancelled_at),
        (Payment.status == "failed", Payment.failed_at),
        else_=Payment.started_at,
    )
    query = select(Payment).where(dated.between(since, to))
    if payment_status != "all":
        query = query.where(Payment.status == payment_status)
    return ok(paged(_sorted(query, sorting), params, selectinload(Payment.cancels)))


@bp.post("/payments/prepare")
def prepare():
    """Register the amount a later request_pay with this merchant_uid must carry."""
    params = Params.from_request()
    merchant_uid = params.string("merchant_uid", required=True, max_length=80)
    amount = params.amount(required=True)
    currency = _currency(params)
    if db.session.get(Prepared, merchant_uid) is not None:
        raise Refused("이미 등록된 merchant_uid입니다")
    prepared = Prepared(merchant_uid=merchant_uid, amount=amount, currency=currency)
    db.session.add(prepared)
    try:
        db.session.commit()
    except IntegrityError as error:
        db.session.rollback()
        raise Refused("이미 등록된 merchant_uid입니다") from error
    return ok(prepared.to_api())


@bp.put("/payments/prepare")
def change_prepared():
    params = Params.from_request()
    merchant_uid = params.string("merchant_uid", required=True, max_length=80)
    amount = params.amount(required=True)
    currency = _currency(params)
    prepared = _prepared(merchant_uid)
    prepared.amount, prepared.currency = amount, currency
    db.session.commit()
    return ok(prepared.to_api())


@bp.get("/payments/prepare/<merchant_uid>")
def prepared(merchant_uid: str):
    return ok(_prepared(merchant_uid).to_api())


@bp.post("/payments/cancel")
def cancel():
    """Refund all or part of a paid payment; a webhook only when ``enable_webhook`` is true."""
    params = Params.from_request()
    imp_uid, merchant_uid = params.string("imp_uid"), params.string("merchant_uid")
    if not imp_uid and not merchant_uid:
        raise BadParameter("imp_uid 또는 merchant_uid 파라메터가 필요합니다.")
    amount, checksum = params.amount(), params.amount("checksum")
    reason = params.string("reason", max_length=300)
    enable_webhook = params.boolean("enable_webhook")
    payment = refunds.payment_to_cancel(imp_uid, merchant_uid)
    refund = refunds.cancel(payment, amount=amount, checksum=checksum, reason=reason)
    if enable_webhook:
        webhooks.send(payment, status="cancelled", cancellation_id=refund.cancellation_id)
    return ok(payment.to_api())


@bp.get("/subscribe/customers/<customer_uid>")
def customer(customer_uid: str):
    return ok(_billing_key(customer_uid).to_api())


@bp.delete("/subscribe/customers/<customer_uid>")
def delete_customer(customer_uid: str):
    key = _billing_key(customer_uid)
    deleted = key.to_api()
    db.session.delete(key)
    schedules.revoke_with_key(customer_uid)
    db.session.commit()
    return ok(deleted)


@bp.get("/subscribe/customers")
def customers():
    uids = Params.from_request().strings("customer_uid")
    if not uids:
        raise BadParameter("customer_uid[] 파라메터가 누락되었습니다.")
    found = [db.session.get(BillingKey, uid) for uid in uids]
    keys = [key for key in found if key is not None]
    return _several(keys, missing=len(found) - len(keys), not_found="등록되지 않은 사용자입니다.")


@bp.get("/subscribe/customers/<customer_uid>/payments")
def customer_payments(customer_uid: str):
    _billing_key(customer_uid)
    query = select(Payment).where(Payment.customer_uid == customer_uid)
    return ok(
        paged(_sorted(query, "-started"), Params.from_request(), selectinload(Payment.cancels))
    )


@bp.post("/subscribe/payments/again")
def again():
    """Charge a billing key. A declined charge is still code 0, with status ``failed``."""
    params = Params.from_request()
    customer_uid = params.string("customer_uid", required=True, max_length=80)
    merchant_uid = params.string("merchant_uid", required=True, max_length=80)
    amount = params.amount(required=True)
    if amount == 0:
        raise BadParameter("amount 파라메터는 0보다 커야 합니다.")
    name = params.string("name", required=True, max_length=200)
    if _currency(params) not in (None, "KRW"):
        raise BadParameter("카카오페이는 KRW 결제만 지원합니다.")
    buyer = {field: params.string(field, max_length=300) for field in billing.BUYER_FIELDS}
    custom_data = params.json_string("custom_data")
    notice_urls = params.urls("notice_url")
    webhooks.check_allowed(notice_urls)
    key = db.session.get(BillingKey, customer_uid)
    if key is None:
        raise PgRefused("등록되지 않은 사용자입니다.")
    if merchant_uid_paid(merchant_uid):
        raise Refused(ALREADY_PAID_MSG)
    payment = billing.charge(key, merchant_uid, amount, name, buyer, custom_data, notice_urls)
    if payment.status == "paid":
        webhooks.send(payment)
    return ok(payment.to_api())


def _live(access_token: str) -> bool:
    return (
        db.session.scalar(
            select(Token.access_token).where(
                Token.access_token == access_token, Token.expired_at > now()
            )
        )
        is not None
    )


def _currency(params: Params) -> str | None:
    currency = params.string("currency", max_length=3)
    if currency is not None and not (len(currency) == 3 and currency.isalpha()):
        raise BadParameter("currency 파라메터는 KRW와 같은 세 글자 통화 코드여야 합니다.")
    return currency.upper() if currency else None


def _prepared(merchant_uid: str) -> Prepared:
    prepared = db.session.get(Prepared, merchant_uid)
    if prepared is None:
        raise NotFound("사전등록된 결제정보가 존재하지 않습니다.")
    return prepared


def _billing_key(customer_uid: str) -> BillingKey:
    key = db.session.get(BillingKey, customer_uid)
    if key is None:
        raise NotFound(f"요청하신 customer_uid({customer_uid})로 등록된 정보를 찾을 수 없습니다.")
    return key


def _by_merchant_uid(merchant_uid: str, payment_status: str | None):
    if payment_status and payment_status not in PAYMENT_STATUSES:
        raise BadParameter("payment_status는 ready, paid, cancelled, failed 중 하나여야 합니다.")
    query = select(Payment).where(Payment.merchant_uid == merchant_uid)
    if payment_status:
        query = query.where(Payment.status == payment_status)
    return query


def _sorted(query, sorting: str):
    # Payments started in the same second fall back to a fixed order.
    return query.order_by(SORTINGS[sorting], Payment.started_at.desc(), Payment.imp_uid)


def _latest(query, sorting: str) -> Payment | None:
    return db.session.scalars(_sorted(query, sorting).limit(1)).first()


def _several(found: list, missing: int, not_found: str):
    """A multi-lookup's answer: 200 when all were found, 207 when some, 404 when none."""
    if not found:
        raise NotFound(not_found)
    return ok([item.to_api() for item in found], 207 if missing else 200)
