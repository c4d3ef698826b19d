"""Scheduled payments: booking, moving and revoking them, and running the due ones.

A due schedule runs at most once, however many runners (threads, workers, hosts) share the
database: each claims it with one conditional UPDATE, ``… WHERE id = ? AND schedule_status =
'scheduled'``, before charging, and only the runner whose UPDATE changed the row charges. The claim
also names the payment (its imp_uid), so the schedule and its payment are tied from the start.
A runner that dies between its claim and the charge leaves the schedule executed without a
payment: at most once, never twice.
"""

import json

from flask import current_app, request
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import selectinload
from werkzeug.datastructures import MultiDict

from portone_sandbox import billing, webhooks
from portone_sandbox.errors import BadParameter, NotFound, Refused
from portone_sandbox.models import (
    ALREADY_PAID_MSG,
    SCHEDULE_STATUSES,
    BillingKey,
    Schedule,
    db,
    merchant_uid_paid,
    new_imp_uid,
    now,
)
from portone_sandbox.paging import paged
from portone_sandbox.params import Params

UNKNOWN_CUSTOMER = "등록되지 않은 구매자입니다."
ALREADY_BOOKED = "이미 결제예약된 merchant_uid입니다."
NOTHING_TO_REVOKE = "취소할 예약결제 기록이 존재하지 않습니다."
NO_SCHEDULE = "결제예약 정보가 존재하지 않습니다."
NOT_SCHEDULED = "이미 실행되었거나 취소된 결제예약입니다."
IN_THE_PAST = "schedule_at은 현재 시각 이후여야 합니다."
MAX_SCHEDULES = 100
# "Up to three months" in PortOne's words: three calendar months at most.
SEARCH_WINDOW = 92 * 24 * 60 * 60
# How many due schedules one pass of a runner takes on.
RUN_BATCH = 100


def book(params: Params) -> list[Schedule]:
    """Book every schedule of a ``POST /subscribe/payments/schedule``, or none of them.

    Refused: an unknown customer_uid, a merchant_uid booked already (in this request or before)
    and one that is paid already. Buyer fields left out are the key's customer fields, as
    PortOne fills them.
    """
    customer_uid = params.string("customer_uid", required=True, max_length=80)
    entries = [_entry(Params(values)) for values in _schedule_values(params)]
    key = db.session.get(BillingKey, customer_uid)
    if key is None:
        raise Refused(UNKNOWN_CUSTOMER)
    merchant_uids = [entry["merchant_uid"] for entry in entries]
    if len(set(merchant_uids)) != len(merchant_uids):
        raise Refused(ALREADY_BOOKED)
    for merchant_uid in merchant_uids:
        if merchant_uid_paid(merchant_uid):
            raise Refused(ALREADY_PAID_MSG)
    at = now()
    for entry in entries:
        if entry["schedule_at"] < at:
            raise BadParameter(IN_THE_PAST)
        for field in billing.BUYER_FIELDS:
            entry[field] = entry[field] or getattr(key, field.replace("buyer_", "customer_"))
    schedules = [
        Schedule(
            customer_uid=customer_uid,
            pg_provider=key.pg_provider,
            pg_id=key.pg_id,
            base_url=request.url_root,
            schedule_status="scheduled",
            booked_at=at,
            executed_at=0,
            revoked_at=0,
            **entry,
        )
        for entry in entries
    ]
    db.session.add_all(schedules)
    try:
        db.session.commit()
    except IntegrityError as error:
        # Another booking of one of these merchant_uids got in first.
        db.session.rollback()
        raise Refused(ALREADY_BOOKED) from error
    return schedules


def _schedule_values(params: Params) -> list[dict]:
    """``schedules`` as a JSON array of objects, a JSON string of one (form bodies), or the
    form fields ``schedules[0][merchant_uid]=…`` that PHP-style clients send."""
    value = params.raw("schedules")
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError as error:
            raise BadParameter("schedules 파라메터는 결제예약 정보의 배열이어야 합니다.") from error
    if value is None:
        value = _bracketed(params)
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        raise BadParameter("schedules 파라메터는 결제예약 정보의 배열이어야 합니다.")
    if not value:
        raise BadParameter("schedules 파라메터가 누락되었습니다.")
    if len(value) > MAX_SCHEDULES:
        raise BadParameter(f"한 번에 최대 {MAX_SCHEDULES}건까지 예약할 수 있습니다.")
    return value


def _bracketed(params: Params) -> list[dict] | None:
    """``schedules[i][field]`` form fields as a list of dicts in index order; None if none."""
    if not isinstance(params.body, MultiDict):
        return None
    found: dict[int, dict] = {}
    for name, values in params.body.lists():
        index, _, field = name.removeprefix("schedules[").partition("][")
        if name.startswith("schedules[") and index.isdigit() and field.endswith("]"):
            found.setdefault(int(index), {})[field[:-1]] = values[-1]
    return [found[index] for index in sorted(found)] if found else None


def _entry(params: Params) -> dict:
    """One schedule's fields, checked as ``again`` checks a charge."""
    merchant_uid = params.string("merchant_uid", required=True, max_length=80)
    if params.raw("schedule_at") is None:
        raise BadParameter("schedule_at 파라메터가 누락되었습니다.")
    schedule_at = params.integer("schedule_at", 0)
    amount = params.amount(required=True)
    if amount == 0:
        raise BadParameter("amount 파라메터는 0보다 커야 합니다.")
    currency = (params.string("currency", max_length=3) or "KRW").upper()
    if currency != "KRW":
        raise BadParameter("카카오페이는 KRW 결제만 지원합니다.")
    notice_urls = params.urls("notice_url")
    webhooks.check_allowed(notice_urls)
    return {
        "merchant_uid": merchant_uid,
        "schedule_at": schedule_at,
        "amount": amount,
        "currency": currency,
        "name": params.string("name", required=True, max_length=200),
        **{field: params.string(field, max_length=300) for field in billing.BUYER_FIELDS},
        "custom_data": params.json_string("custom_data"),
        "notice_urls": json.dumps(notice_urls),
    }


def find(merchant_uid: str) -> Schedule:
    """The latest booking of ``merchant_uid``."""
    found = db.session.scalars(
        select(Schedule).where(Schedule.merchant_uid == merchant_uid).order_by(Schedule.id.desc())
    ).first()
    if found is None:
        raise NotFound(NO_SCHEDULE)
    return found


def reschedule(merchant_uid: str, schedule_at: int) -> Schedule:
    """Move a booking that has not run yet to ``schedule_at`` (not in the past)."""
    schedule = find(merchant_uid)
    if schedule.schedule_status != "scheduled":
        raise BadParameter(NOT_SCHEDULED)
    if schedule_at < now():
        raise BadParameter(IN_THE_PAST)
    moved = db.session.execute(
        update(Schedule)
        .where(Schedule.id == schedule.id, Schedule.schedule_status == "scheduled")
        .values(schedule_at=schedule_at)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    if moved.rowcount != 1:
        raise BadParameter(NOT_SCHEDULED)
    db.session.refresh(schedule)
    return schedule


def revoke(customer_uid: str | None, merchant_uids: list[str]) -> list[Schedule]:
    """Revoke the bookings not run yet: the listed merchant_uids (of ``customer_uid`` when
    given), or all of ``customer_uid``'s. Nothing left to revoke is refused."""
    if not customer_uid and not merchant_uids:
        raise BadParameter("customer_uid 또는 merchant_uid 파라메터가 필요합니다.")
    query = select(Schedule).where(Schedule.schedule_status == "scheduled")
    if customer_uid:
        query = query.where(Schedule.customer_uid == customer_uid)
    if merchant_uids:
        query = query.where(Schedule.merchant_uid.in_(merchant_uids))
    at = now()
    revoked = []
    for schedule in db.session.scalars(query.order_by(Schedule.id)).all():
        # Each one only if no runner has claimed it meanwhile.
        changed = db.session.execute(
            update(Schedule)
            .where(Schedule.id == schedule.id, Schedule.schedule_status == "scheduled")
            .values(schedule_status="revoked", revoked_at=at)
            .execution_options(synchronize_session=False)
        )
        if changed.rowcount == 1:
            revoked.append(schedule.id)
    db.session.commit()
    if not revoked:
        raise Refused(NOTHING_TO_REVOKE)
    return _by_ids(revoked)


def revoke_with_key(customer_uid: str) -> None:
    """A deleted key takes its bookings with it (not committed: part of the deletion)."""
    db.session.execute(
        update(Schedule)
        .where(Schedule.customer_uid == customer_uid, Schedule.schedule_status == "scheduled")
        .values(schedule_status="revoked", revoked_at=now())
        .execution_options(synchronize_session=False)
    )


def search(params: Params, since_name: str, to_name: str, customer_uid: str | None = None):
    """A page of bookings with ``since <= schedule_at < to`` (three months at most), by status
    and for one customer_uid when asked, ``{total, previous, next, list}``."""
    since, to = _required_time(params, since_name), _required_time(params, to_name)
    if since > to:
        raise BadParameter(f"{since_name}은 {to_name}보다 클 수 없습니다.")
    if to - since > SEARCH_WINDOW:
        raise BadParameter("검색기간은 최대 3개월입니다.")
    query = select(Schedule).where(Schedule.schedule_at >= since, Schedule.schedule_at < to)
    status = params.raw("schedule_status") or params.raw("schedule-status")
    if status is not None:
        if status not in SCHEDULE_STATUSES:
            raise BadParameter("schedule_status는 scheduled, executed, revoked 중 하나여야 합니다.")
        query = query.where(Schedule.schedule_status == status)
    if customer_uid is not None:
        query = query.where(Schedule.customer_uid == customer_uid)
    sorting = params.choice("sorting", ("-scheduled", "scheduled"), "-scheduled")
    at = Schedule.schedule_at.asc() if sorting == "scheduled" else Schedule.schedule_at.desc()
    return paged(query.order_by(at, Schedule.id.desc()), params, selectinload(Schedule.payment))


def _required_time(params: Params, name: str) -> int:
    if params.raw(name) is None:
        raise BadParameter(f"{name} 파라메터가 누락되었습니다.")
    return params.integer(name, 0)


def _by_ids(ids: list[int]) -> list[Schedule]:
    found = db.session.scalars(
        select(Schedule).where(Schedule.id.in_(ids)).options(selectinload(Schedule.payment))
    ).all()
    return sorted(found, key=lambda schedule: ids.index(schedule.id))


def any_booked() -> bool:
    """Whether any schedule is waiting to run."""
    return (
        db.session.scalar(
            select(Schedule.id).where(Schedule.schedule_status == "scheduled").limit(1)
        )
        is not None
    )


def run_due() -> list[Schedule]:
    """Charge every schedule that is due by the sandbox's clock and that this call claims; the
    ones it ran. Safe to call from any number of threads and processes at once."""
    at = now()
    due = db.session.scalars(
        select(Schedule.id)
        .where(Schedule.schedule_status == "scheduled", Schedule.schedule_at <= at)
        .order_by(Schedule.schedule_at, Schedule.id)
        .limit(RUN_BATCH)
    ).all()
    ran = []
    for schedule_id in due:
        if _claim(schedule_id, at):
            _charge(db.session.get(Schedule, schedule_id))
            ran.append(schedule_id)
    return _by_ids(ran)


def _claim(schedule_id: int, at: int) -> bool:
    """Take the schedule for this runner: True only for the one caller whose UPDATE moved it
    from ``scheduled``. A database too busy to answer leaves it for the next pass."""
    try:
        claimed = db.session.execute(
            update(Schedule)
            .where(Schedule.id == schedule_id, Schedule.schedule_status == "scheduled")
            .values(schedule_status="executed", executed_at=at, imp_uid=new_imp_uid(api=True))
            .execution_options(synchronize_session=False)
        )
        db.session.commit()
    except OperationalError:
        db.session.rollback()
        return False
    return claimed.rowcount == 1


def _charge(schedule: Schedule) -> None:
    """Charge a claimed schedule's key and notify the merchant of the result, paid or failed.
    If the key was deleted between the claim and now, the deletion revokes the schedule."""
    key = db.session.get(BillingKey, schedule.customer_uid)
    if key is None:
        schedule.schedule_status, schedule.revoked_at = "revoked", now()
        schedule.executed_at, schedule.imp_uid = 0, None
        db.session.commit()
        return
    buyer = {field: getattr(schedule, field) for field in billing.BUYER_FIELDS}
    # receipt_url is built on the address the booking came to.
    with current_app.test_request_context(base_url=schedule.base_url):
        payment = billing.charge(
            key,
            schedule.merchant_uid,
            schedule.amount,
            schedule.name,
            buyer,
            schedule.custom_data,
            schedule.notice_url_list(),
            usage="payment.scheduled",
            imp_uid=schedule.imp_uid,
            # Its payment and the schedule tell one time, however long the charge took.
            at=schedule.executed_at,
        )
        webhooks.send(payment)
