"""The test controls under ``/_sandbox/``: reset, the clock, the webhook log, console-style cancel,
running due schedules, faults.

They change or reveal all of the sandbox's state, so every call must carry the sandbox's API
secret as ``Authorization: Bearer <SANDBOX_API_SECRET>``. A page on another site can neither know
it nor send that header: it needs a CORS preflight, which the sandbox never grants.
"""

import secrets

from flask import Blueprint, current_app, jsonify, request
from sqlalchemy import select

from portone_sandbox import faults, refunds, schedule_runner, state, webhooks
from portone_sandbox.api import ok
from portone_sandbox.errors import NotFound, Unauthorized
from portone_sandbox.models import Setting, WebhookDelivery, advance_clock, db, now
from portone_sandbox.params import Params

bp = Blueprint("controls", __name__, url_prefix="/_sandbox")

MAX_ADVANCE = 10 * 365 * 86400


@bp.before_request
def require_secret():
    scheme, _, secret = request.headers.get("Authorization", "").partition(" ")
    expected = current_app.config["SANDBOX_API_SECRET"]
    if scheme.lower() != "bearer" or not secrets.compare_digest(
        secret.strip().encode(), expected.encode()
    ):
        raise Unauthorized("테스트 제어 요청에는 Authorization: Bearer <API secret>이 필요합니다.")


@bp.post("/reset")
def reset():
    """Forget everything: payments, keys, schedules, tokens, deliveries (in flight too),
    faults, the clock."""
    state.forget_everything()
    return jsonify(reset=True, now=now())


@bp.get("/clock")
def clock():
    return jsonify(_clock())


@bp.post("/clock/advance")
def clock_advance():
    """Move the sandbox's clock forward by ``seconds`` (tokens expire, schedules fall due)."""
    seconds = Params.from_request().integer("seconds", 0, minimum=0, maximum=MAX_ADVANCE)
    advance_clock(seconds)
    return jsonify(_clock())


@bp.get("/webhooks")
def deliveries():
    """The delivery log, oldest first. ``wait_for=N`` waits until N deliveries have a final
    result, ``idle=true`` until no delivery is in flight, each for ``timeout`` seconds (5 by
    default) and never longer than ``SANDBOX_CONTROL_MAX_WAIT``."""
    params = Params.from_request()
    wanted = params.integer("wait_for", 0)
    idle = params.boolean("idle")
    longest = current_app.config["SANDBOX_CONTROL_MAX_WAIT"]
    timeout = min(params.integer("timeout", 5, minimum=0), longest)
    settled = webhooks.wait(wanted, idle, timeout) if wanted or idle else True
    log = db.session.scalars(select(WebhookDelivery).order_by(WebhookDelivery.id)).all()
    return jsonify(
        settled=settled,
        in_flight=webhooks.in_flight(),
        deliveries=[delivery.to_api() for delivery in log],
    )


@bp.post("/payments/<imp_uid>/cancel")
def cancel(imp_uid: str):
    """Cancel all or part of a payment as PortOne's console does (it always notifies)."""
    params = Params.from_request()
    amount = params.amount()
    reason = params.string("reason", max_length=300)
    payment, _ = refunds.cancel_from_console(imp_uid, amount, reason)
    return ok(payment.to_api())


@bp.post("/schedules/run")
def run_schedules():
    """Charge the schedules that are due by the sandbox's clock now, without waiting for the
    runner: the ScheduleResults of those this call ran."""
    ran = schedule_runner.run_now()
    return jsonify(executed=[schedule.to_api() for schedule in ran], now=now())


@bp.get("/faults")
def list_faults():
    """Every fault, armed or spent (``remaining`` 0), and the endpoints a fault may name."""
    return jsonify(
        faults=[fault.to_api() for fault in faults.listed()], endpoints=faults.api_endpoints()
    )


@bp.post("/faults")
def arm_fault():
    """Arm a fault: ``kind``, ``count`` (1), ``endpoint`` (API faults), ``delay`` in seconds
    (``hang``, ``delay``), ``copies`` (``duplicate``). See ``portone_sandbox.faults``."""
    params = Params.from_request()
    fault = faults.arm(
        params.string("kind", required=True, max_length=20),
        count=params.integer("count", 1),
        endpoint=params.string("endpoint", max_length=200),
        delay=params.raw("delay"),
        copies=params.integer("copies", None),
    )
    return jsonify(fault=fault.to_api()), 201


@bp.delete("/faults")
def clear_faults():
    return jsonify(cleared=faults.clear())


@bp.delete("/faults/<int:fault_id>")
def clear_fault(fault_id: int):
    if not faults.clear(fault_id):
        raise NotFound("해당 장애 설정이 없습니다.")
    return jsonify(cleared=1)


def _clock() -> dict:
    offset = db.session.get(Setting, "clock_offset")
    return {"now": now(), "offset": int(offset.value) if offset else 0}
