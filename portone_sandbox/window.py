"""The Kakao Pay side of the sandbox: ``iamport.js``, the approval window it opens, and receipts.

The SDK never calls this server from the merchant's page. It submits the request as a form into a
frame laid over the page (PC) or into the page itself (phone). Everything after that happens on
the sandbox's own origin: the window's frame hands the result back to the merchant page with
``postMessage``, or the phone's browser is redirected to ``m_redirect_url``.

The window's secret, which every decision must carry, travels only in the bodies of the window's
page and of its form posts, never in a URL (URLs are written to access logs).
"""

import hmac
import json
import re
import secrets
from urllib.parse import urlencode, urlsplit, urlunsplit

from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for
from sqlalchemy import update

from portone_sandbox import webhooks
from portone_sandbox.errors import BadParameter
from portone_sandbox.models import (
    ALREADY_PAID_MSG,
    Payment,
    PaymentWindow,
    Prepared,
    db,
    mark_paid,
    merchant_uid_paid,
    new_apply_num,
    new_imp_uid,
    new_pg_tid,
    now,
    save_billing_key,
)
from portone_sandbox.params import Params

bp = Blueprint("window", __name__)

ONE_OFF_CID = "TC0ONETIME"
SUBSCRIPTION_CID = "TCSUBSCRIP"

INVALID_PARAMETER = "F400"
UNKNOWN_MERCHANT = "F401"
ALREADY_PAID = "F1002"
PREPARED_AMOUNT_DIFFERS = "F1003"
USER_CANCELLED = "F0001"
PG_DECLINED = "F0002"

USER_CANCELLED_MSG = "사용자가 결제를 취소하셨습니다"
PG_DECLINED_MSG = "[카카오페이] 결제 승인이 거절되었습니다. (잔액 또는 한도 부족)"

# The same test the SDK makes to choose between the overlay and the full-page window.
PHONE = re.compile(r"Android|iPhone|iPad|iPod|Mobile", re.IGNORECASE)
ORIGIN = re.compile(r"https?://[^/?#\s]{1,280}")
REQUEST_ID = re.compile(r"[A-Za-z0-9_-]{8,64}")
MAX_NOTICE_URLS = 5
TEXT_LIMITS = {
    "name": 200,
    "buyer_name": 100,
    "buyer_email": 200,
    "buyer_tel": 40,
    "buyer_addr": 300,
    "buyer_postcode": 20,
}

# Plausible Kakao Pay card registrations: (card_code, card_name, BIN, card_type 0=credit 1=check).
CARDS = (
    ("366", "신한카드", "451842", 0),
    ("381", "KB국민카드", "457973", 0),
    ("365", "삼성카드", "536181", 0),
    ("367", "현대카드", "540926", 0),
    ("371", "NH농협카드", "546252", 1),
    ("041", "우리카드", "535120", 1),
)


class Refusal(Exception):
    """A ``request_pay`` the window refuses: the page gets ``error_code`` and ``error_msg``."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


@bp.after_request
def _harden(response):
    """The window's pages hold its secret and the buyer's details: kept from caches, referrers
    and foreign code."""
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["X-Content-Type-Options"] = "nosniff"
    if response.mimetype == "text/html":
        response.headers["Content-Security-Policy"] = (
            "default-src 'self'; base-uri 'none'; object-src 'none'"
        )
        response.headers["Cache-Control"] = "no-store"
    return response


@bp.context_processor
def _merchant():
    """The shop's name as buyers know it (``SANDBOX_MERCHANT_NAME``), not its merchant code;
    unset, the window names only what the request names."""
    return {"merchant_name": current_app.config["SANDBOX_MERCHANT_NAME"]}


@bp.get("/v1/iamport.js")
def sdk():
    """The drop-in ``iamport.js``, loadable with a plain ``<script src>`` from any origin."""
    response = current_app.send_static_file("iamport.js")
    response.mimetype = "text/javascript"
    response.cache_control.no_cache = True
    response.headers["Cross-Origin-Resource-Policy"] = "cross-origin"
    return response


@bp.post("/window/open")
def open_window():
    """Start a ``request_pay``: refuse it, or create the ``ready`` payment and show its window.

    The window is this response itself, not a redirect to it: a redirect's URL would have to
    carry the window's secret.
    """
    mode = request.form.get("mode", "")
    origin = request.form.get("origin", "")
    request_id = request.form.get("request_id", "")
    if (
        mode not in ("overlay", "redirect")
        or not ORIGIN.fullmatch(origin)
        or not REQUEST_ID.fullmatch(request_id)
    ):
        return _bad_request("결제창을 열 수 없는 요청입니다.")
    try:
        values = json.loads(request.form.get("params", ""))
    except (ValueError, RecursionError):
        values = None
    if not isinstance(values, dict):
        return _bad_request("결제요청 파라메터가 올바르지 않습니다.")
    params = Params(values)

    m_redirect_url = None
    if mode == "redirect":
        try:
            m_redirect_url = params.url("m_redirect_url", required=True)
        except BadParameter:
            return _bad_request("m_redirect_url은 http 또는 https 주소여야 합니다.")
    window = PaymentWindow(mode=mode, origin=origin, request_id=request_id)
    merchant_uid = values.get("merchant_uid")
    try:
        _check_merchant(request.form.get("imp_code"))
        payment = _new_payment(params, m_redirect_url)
        _check_payable(payment)
    except Refusal as refusal:
        rsp = _refused(merchant_uid if isinstance(merchant_uid, str) else None, refusal)
        return _answer(rsp, window, m_redirect_url)

    window.imp_uid = payment.imp_uid
    window.secret = secrets.token_urlsafe(32)
    db.session.add_all([payment, window])
    db.session.commit()
    return render_template("window/window.html", payment=payment, window=window)


@bp.post("/window/<imp_uid>")
def decide(imp_uid: str):
    """The buyer's one decision: Approve, Decline or Cancel. Later posts get the first outcome."""
    payment, window = _find(imp_uid, request.form.get("key"))
    decision = request.form.get("decision")
    pay_with = request.form.get("pay_with", "point")
    if decision not in ("approve", "decline", "cancel") or pay_with not in ("point", "card"):
        return _bad_request("알 수 없는 선택입니다.")
    if decision == "approve":
        if _approve(payment, pay_with, request.form.get("decline_charges") == "on"):
            webhooks.send(payment)
    elif decision == "decline":
        _fail(payment, PG_DECLINED_MSG, pay_method=pay_with)
    else:
        _fail(payment, USER_CANCELLED_MSG)
    return _answer(_response(payment), window, payment.m_redirect_url)


@bp.get("/receipts/<imp_uid>")
def receipt(imp_uid: str):
    """The sale slip a payment's ``receipt_url`` points to."""
    payment = db.session.get(Payment, imp_uid)
    if payment is None or not payment.paid_at:
        abort(404)
    return render_template("window/receipt.html", payment=payment)


def _check_merchant(imp_code) -> None:
    if not imp_code:
        raise Refusal(
            UNKNOWN_MERCHANT, "가맹점 식별코드가 없습니다. IMP.init()을 먼저 호출해주세요."
        )
    if imp_code != current_app.config["SANDBOX_IMP_CODE"]:
        raise Refusal(UNKNOWN_MERCHANT, f"등록되지 않은 가맹점 식별코드입니다. ({imp_code})")


def _new_payment(params: Params, m_redirect_url: str | None) -> Payment:
    """The ``ready`` payment a ``request_pay`` asks for, refusing what PortOne would refuse."""
    try:
        merchant_uid = params.string("merchant_uid", required=True, max_length=40, numbers=False)
        amount = params.amount(required=True, strings=False)
        customer_uid = params.string("customer_uid", max_length=80)
        if amount == 0 and not customer_uid:
            raise BadParameter("결제금액은 0원보다 커야 합니다.")
        if params.string("currency") not in (None, "KRW"):
            raise BadParameter("카카오페이는 원화(KRW) 결제만 지원합니다.")
        pg_id = _cid(params.string("pg"), bool(customer_uid))
        notice_urls = params.urls("notice_url", max_items=MAX_NOTICE_URLS)
        webhooks.check_allowed(notice_urls)
        texts = {
            field: params.string(field, max_length=limit) for field, limit in TEXT_LIMITS.items()
        }
        custom_data = params.json_string("custom_data")
    except BadParameter as error:
        raise Refusal(INVALID_PARAMETER, error.message) from error
    at = now()
    user_agent = request.user_agent.string
    return Payment(
        imp_uid=new_imp_uid(),
        merchant_uid=merchant_uid,
        status="ready",
        amount=amount,
        cancel_amount=0,
        currency="KRW",
        pay_method="point",
        channel="mobile" if PHONE.search(user_agent) else "pc",
        pg_provider="kakaopay",
        pg_id=pg_id,
        customer_uid=customer_uid,
        customer_uid_usage="issue" if customer_uid else None,
        custom_data=custom_data,
        notice_urls=json.dumps(notice_urls),
        m_redirect_url=m_redirect_url,
        user_agent=user_agent[:400],
        started_at=at,
        updated_at=at,
        **texts,
    )


def _cid(pg: str | None, billing: bool) -> str:
    """The Kakao Pay CID for ``pg`` (``kakaopay``, ``kakaopay.{CID}`` or omitted)."""
    default = SUBSCRIPTION_CID if billing else ONE_OFF_CID
    if pg is None or pg == "kakaopay":
        return default
    provider, _, cid = pg.partition(".")
    if provider != "kakaopay":
        raise BadParameter(f"설정되지 않은 PG사입니다. (pg: {pg})")
    if cid not in (ONE_OFF_CID, SUBSCRIPTION_CID):
        raise BadParameter(f"등록되지 않은 카카오페이 CID입니다. ({cid})")
    if billing and cid != SUBSCRIPTION_CID:
        raise BadParameter(f"빌링키 발급에는 정기결제용 CID({SUBSCRIPTION_CID})가 필요합니다.")
    return cid


def _check_payable(payment: Payment) -> None:
    """The checks PortOne makes before it opens the PG's window."""
    if merchant_uid_paid(payment.merchant_uid):
        raise Refusal(ALREADY_PAID, ALREADY_PAID_MSG)
    prepared = db.session.get(Prepared, payment.merchant_uid)
    if prepared is not None and prepared.amount != payment.amount:
        raise Refusal(
            PREPARED_AMOUNT_DIFFERS,
            f"사전 등록된 결제금액({prepared.amount:,}원)과 "
            f"요청된 결제금액({payment.amount:,}원)이 일치하지 않아 결제창을 열 수 없습니다.",
        )


def _find(imp_uid: str, key) -> tuple[Payment, PaymentWindow]:
    """The payment and its window, for the holder of the window's secret only."""
    window = db.session.get(PaymentWindow, imp_uid)
    payment = db.session.get(Payment, imp_uid)
    if window is None or payment is None:
        abort(404)
    if not isinstance(key, str) or not hmac.compare_digest(key.encode(), window.secret.encode()):
        abort(403)
    return payment, window


def _approve(payment: Payment, pay_with: str, decline_charges: bool) -> bool:
    """Mark a ``ready`` payment paid, issuing or replacing its billing key. False if it was not
    ``ready`` (it keeps its outcome) or its merchant_uid was paid meanwhile (it fails)."""
    at = now()
    values = {
        "paid_at": at,
        "updated_at": at,
        "pay_method": pay_with,
        "pg_tid": new_pg_tid(),
        "apply_num": new_apply_num() if pay_with == "card" else None,
        "receipt_url": url_for(".receipt", imp_uid=payment.imp_uid, _external=True),
        **_card_fields(pay_with),
    }
    if not mark_paid(payment, **values):
        db.session.rollback()
        _fail(payment, ALREADY_PAID_MSG)
        return False
    db.session.expire(payment)
    if payment.customer_uid:
        save_billing_key(
            payment.customer_uid,
            pg_provider=payment.pg_provider,
            pg_id=payment.pg_id,
            pay_method=payment.pay_method,
            card_code=payment.card_code,
            card_name=payment.card_name,
            card_number=payment.card_number,
            card_type=payment.card_type,
            customer_name=payment.buyer_name,
            customer_tel=payment.buyer_tel,
            customer_email=payment.buyer_email,
            customer_addr=payment.buyer_addr,
            customer_postcode=payment.buyer_postcode,
            decline_charges=decline_charges,
        )
    db.session.commit()
    return True


def _card_fields(pay_with: str) -> dict:
    if pay_with != "card":
        return {"card_code": None, "card_name": None, "card_number": None, "card_type": None}
    code, name, bin_digits, card_type = secrets.choice(CARDS)
    last4 = "".join(secrets.choice("0123456789") for _ in range(4))
    return {
        "card_code": code,
        "card_name": name,
        "card_number": f"{bin_digits}******{last4}",
        "card_type": card_type,
    }


def _fail(payment: Payment, reason: str, pay_method: str | None = None) -> None:
    """Mark a ``ready`` payment failed; a payment already decided keeps its outcome."""
    at = now()
    values = {"status": "failed", "failed_at": at, "updated_at": at, "fail_reason": reason}
    if pay_method:
        values["pay_method"] = pay_method
    db.session.execute(
        update(Payment)
        .where(Payment.imp_uid == payment.imp_uid, Payment.status == "ready")
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()


def _response(payment: Payment) -> dict:
    """The ``rsp`` the merchant's callback gets for a decided payment.

    As PortOne's current SDK gives it: ``success`` (and the older ``imp_success``), buyer fields
    the request left out as empty strings, and for KakaoMoney ``apply_num`` and ``card_number``
    as empty strings too.
    """
    common = {
        "imp_uid": payment.imp_uid,
        "merchant_uid": payment.merchant_uid,
        "pay_method": payment.pay_method,
        "pg_provider": payment.pg_provider,
        "pg_type": "payment",
        "customer_uid": payment.customer_uid,
    }
    if not payment.paid_at:
        code = {USER_CANCELLED_MSG: USER_CANCELLED, ALREADY_PAID_MSG: ALREADY_PAID}.get(
            payment.fail_reason, PG_DECLINED
        )
        return {
            "success": False,
            "imp_success": False,
            **common,
            "status": payment.status,
            "error_code": code,
            "error_msg": payment.fail_reason,
        }
    return {
        "success": True,
        "imp_success": True,
        **common,
        "name": payment.name,
        "paid_amount": payment.amount,
        "currency": payment.currency,
        "status": payment.status,
        "pg_tid": payment.pg_tid,
        "apply_num": payment.apply_num or "",
        "buyer_name": payment.buyer_name or "",
        "buyer_email": payment.buyer_email or "",
        "buyer_tel": payment.buyer_tel or "",
        "buyer_addr": payment.buyer_addr or "",
        "buyer_postcode": payment.buyer_postcode or "",
        "custom_data": _parsed(payment.custom_data),
        "paid_at": payment.paid_at,
        "receipt_url": payment.receipt_url,
        "card_name": payment.card_name,
        "card_number": payment.card_number or "",
        "card_quota": payment.card_quota,
        "bank_name": None,
    }


def _refused(merchant_uid: str | None, refusal: Refusal) -> dict:
    """The ``rsp`` for a request refused before any payment existed."""
    return {
        "success": False,
        "imp_success": False,
        "imp_uid": None,
        "merchant_uid": merchant_uid,
        "error_code": refusal.code,
        "error_msg": refusal.message,
    }


def _parsed(custom_data: str | None):
    if custom_data is None:
        return None
    try:
        return json.loads(custom_data)
    except ValueError:
        return custom_data


def _answer(rsp: dict, window: PaymentWindow, m_redirect_url: str | None):
    """Hand ``rsp`` to the merchant: ``postMessage`` from the overlay, or the phone redirect."""
    if window.mode == "redirect" and m_redirect_url:
        return redirect(_redirect_url(m_redirect_url, rsp), 303)
    return render_template("window/result.html", rsp=rsp, window=window)


def _redirect_url(m_redirect_url: str, rsp: dict) -> str:
    """``m_redirect_url`` with the result appended to any query it already has."""
    pairs = [("imp_uid", rsp["imp_uid"]), ("merchant_uid", rsp["merchant_uid"])]
    pairs = [(name, value) for name, value in pairs if value is not None]
    pairs.append(("imp_success", "true" if rsp["success"] else "false"))
    if not rsp["success"]:
        pairs += [("error_code", rsp["error_code"]), ("error_msg", rsp["error_msg"])]
    parts = urlsplit(m_redirect_url)
    query = "&".join(filter(None, [parts.query, urlencode(pairs)]))
    return urlunsplit(parts._replace(query=query))


def _bad_request(message: str):
    return render_template("window/error.html", message=message), 400
