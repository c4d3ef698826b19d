"""PortOne V1's scheduled payments at their real paths: book, move, revoke and look up charges
that the sandbox runs when its clock reaches them (``portone_sandbox.schedules``).

Single bookings and lists of them are ``ScheduleResult`` objects; the searches are pages
``{total, previous, next, list}``, as PortOne's own clients read them.
"""

from flask import Blueprint

from portone_sandbox import schedule_runner, schedules
from portone_sandbox.api import ok, require_token
from portone_sandbox.errors import BadParameter
from portone_sandbox.params import Params

bp = Blueprint("schedules", __name__)
bp.before_request(require_token)


@bp.post("/subscribe/payments/schedule")
def book():
    """Book charges of a billing key: an array of ScheduleResult, in the order asked."""
    booked = schedules.book(Params.from_request())
    schedule_runner.ensure_running()
    return ok([schedule.to_api() for schedule in booked])


@bp.post("/subscribe/payments/unschedule")
def unschedule():
    """Revoke bookings that have not run: the listed merchant_uids, or all of a customer_uid's."""
    params = Params.from_request()
    revoked = schedules.revoke(
        params.string("customer_uid", max_length=80), params.strings("merchant_uid")
    )
    return ok([schedule.to_api() for schedule in revoked])


@bp.get("/subscribe/payments/schedule/<merchant_uid>")
def schedule(merchant_uid: str):
    return ok(schedules.find(merchant_uid).to_api())


@bp.put("/subscribe/payments/schedule/<merchant_uid>")
def reschedule(merchant_uid: str):
    """Move a booking that has not run to another ``schedule_at``."""
    params = Params.from_request()
    if params.raw("schedule_at") is None:
        raise BadParameter("schedule_at 파라메터가 누락되었습니다.")
    moved = schedules.reschedule(merchant_uid, params.integer("schedule_at", 0))
    schedule_runner.ensure_running()
    return ok(moved.to_api())


@bp.get("/subscribe/payments/schedule")
def search():
    """Bookings by ``schedule_from <= schedule_at < schedule_to``, paged."""
    return ok(schedules.search(Params.from_request(), "schedule_from", "schedule_to"))


@bp.get("/subscribe/payments/schedule/customers/<customer_uid>")
@bp.get("/subscribe/customers/<customer_uid>/schedules")
def customer_schedules(customer_uid: str):
    """A customer_uid's bookings by ``from <= schedule_at < to``, latest first, paged."""
    return ok(schedules.search(Params.from_request(), "from", "to", customer_uid))
