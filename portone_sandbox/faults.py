"""Faults on purpose: PortOne failing the next N API calls, and webhooks going astray.

API faults, each taken by one call of the REST API (of one endpoint, when the fault names one):

- ``500``: HTTP 500 with PortOne's envelope (code -1); the call does nothing.
- ``401``: HTTP 401 ``Unauthorized``, as for a token PortOne has revoked; the call does nothing.
- ``malformed``: HTTP 200 with a JSON content type and the start of an envelope, cut short; the
  call does nothing.
- ``hang``: no answer for ``delay`` seconds, then the call is served as usual, so a client that
  gave up meanwhile never learns that it took effect. Clearing the faults, or a reset, ends the
  wait at once with a 500, and then the call does nothing.

Webhook faults, each taken by one notification (with every delivery it makes):

- ``drop``: recorded as ``dropped``, never sent.
- ``duplicate``: sent ``copies`` times, each its own delivery.
- ``delay``: sent ``delay`` seconds later.
- ``reorder``: recorded as ``held``, and sent just after the next notification that is sent.

Faults are rows of the sandbox's database, so every thread, worker and process serving it sees
the same ones, and a call takes one with a conditional UPDATE of its remaining count: a fault
armed for N calls fails exactly N, however many run at once.
"""

import re
import time
from dataclasses import dataclass

from flask import Flask, current_app, make_response, request
from sqlalchemy import delete, exists, or_, select, update

from portone_sandbox.errors import HTTP_MESSAGES, BadParameter, Unauthorized
from portone_sandbox.models import Fault, db, now

API_FAULTS = ("500", "hang", "malformed", "401")
WEBHOOK_FAULTS = ("drop", "duplicate", "delay", "reorder")
KINDS = API_FAULTS + WEBHOOK_FAULTS
# How the dashboard names each kind.
LABELS = {
    "500": "HTTP 500",
    "hang": "Hang, then answer late",
    "malformed": "Malformed body",
    "401": "HTTP 401 Unauthorized",
    "drop": "Drop the webhook",
    "duplicate": "Duplicate the webhook",
    "delay": "Delay the webhook",
    "reorder": "Hold the webhook until the next one",
}
MAX_COUNT = 1000
MAX_COPIES = 10
# Long enough to outlast a client's read timeout, short enough to hold no worker for long.
DEFAULT_DELAY = {"hang": 10.0, "delay": 5.0}
# The REST API's paths; the controls, the window and the dashboard never fail on purpose.
API_PATHS = ("/payments", "/subscribe/", "/users/")
# A hung call looks this often whether its fault was cleared.
HANG_POLL = 0.2
# An envelope cut off mid-way, as a proxy that drops the connection would leave it.
MALFORMED_BODY = '{"code":0,"message":null,"response":{"imp_uid":"imp_'


@dataclass(frozen=True)
class Taken:
    """What a call or a notification took from an armed fault."""

    id: int
    kind: str
    delay: float | None
    copies: int | None


def register(app: Flask) -> None:
    """Let armed API faults answer before the API does (and before it checks the token)."""
    app.before_request(inject)
    app.add_template_filter(describe, "fault")


def arm(
    kind: str,
    count: int = 1,
    endpoint: str | None = None,
    delay=None,
    copies: int | None = None,
) -> Fault:
    """Arm ``kind`` for the next ``count`` calls (of ``endpoint``, e.g.
    ``"GET /payments/{imp_uid}"``) or notifications, and commit. ``delay`` is in seconds, for
    ``hang`` and ``delay``; ``copies`` for ``duplicate``. Anything that does not fit the kind
    is refused with ``BadParameter``."""
    if kind not in KINDS:
        raise BadParameter(f"kind 파라메터는 {', '.join(KINDS)} 중 하나여야 합니다.")
    if not 1 <= count <= MAX_COUNT:
        raise BadParameter(f"count 파라메터는 1 이상 {MAX_COUNT} 이하여야 합니다.")
    target = "api" if kind in API_FAULTS else "webhook"
    if endpoint is not None:
        if target != "api":
            raise BadParameter("endpoint는 API 장애(500, hang, malformed, 401)에만 지정합니다.")
        endpoint = _known_endpoint(endpoint)
    if kind in DEFAULT_DELAY:
        longest = current_app.config["SANDBOX_FAULT_MAX_DELAY"]
        delay = _seconds(min(DEFAULT_DELAY[kind], longest) if delay is None else delay)
    elif delay is not None:
        raise BadParameter("delay는 hang과 delay 장애에만 지정합니다.")
    if kind == "duplicate":
        copies = 2 if copies is None else copies
        if not 2 <= copies <= MAX_COPIES:
            raise BadParameter(f"copies 파라메터는 2 이상 {MAX_COPIES} 이하여야 합니다.")
    elif copies is not None:
        raise BadParameter("copies는 duplicate 장애에만 지정합니다.")
    fault = Fault(
        target=target,
        kind=kind,
        endpoint=endpoint,
        count=count,
        remaining=count,
        delay=delay,
        copies=copies,
        created_at=now(),
    )
    db.session.add(fault)
    db.session.commit()
    return fault


def listed() -> list[Fault]:
    """Every fault, armed or spent, in the order they were armed (and are taken)."""
    return list(db.session.scalars(select(Fault).order_by(Fault.id)))


def armed() -> list[Fault]:
    """The faults that will still be taken."""
    return [fault for fault in listed() if fault.remaining > 0]


def clear(fault_id: int | None = None) -> int:
    """Forget one fault, or all of them; how many were forgotten. A call hanging on one of them
    stops waiting."""
    query = delete(Fault)
    if fault_id is not None:
        query = query.where(Fault.id == fault_id)
    cleared = db.session.execute(query).rowcount
    db.session.commit()
    return cleared


def take(target: str, endpoint: str | None = None) -> Taken | None:
    """Take one use of the oldest armed fault that applies, or None.

    The decrement is a conditional UPDATE (``remaining > 0``), so of callers racing for the
    last use, only one gets it; the others try the next fault.
    """
    query = select(Fault).where(Fault.target == target, Fault.remaining > 0).order_by(Fault.id)
    if endpoint is not None:
        query = query.where(or_(Fault.endpoint.is_(None), Fault.endpoint == endpoint))
    candidates = [
        Taken(fault.id, fault.kind, fault.delay, fault.copies)
        for fault in db.session.scalars(query)
    ]
    for candidate in candidates:
        result = db.session.execute(
            update(Fault)
            .where(Fault.id == candidate.id, Fault.remaining > 0)
            .values(remaining=Fault.remaining - 1)
            .execution_options(synchronize_session=False)
        )
        db.session.commit()
        if result.rowcount == 1:
            return candidate
    return None


def describe(fault: Fault) -> str:
    """One line for people: the kind, what it applies to, and how many uses are left."""
    parts = [LABELS[fault.kind]]
    if fault.target == "api":
        parts.append(fault.endpoint or "any API call")
    if fault.delay is not None:
        parts.append(f"{fault.delay:g} s")
    if fault.copies is not None:
        parts.append(f"×{fault.copies}")
    parts.append(f"{fault.remaining} of {fault.count} left")
    return " · ".join(parts)


def api_endpoints() -> list[str]:
    """The REST API's endpoints as PortOne's documentation writes them, e.g.
    ``GET /payments/{imp_uid}``: the values a fault's ``endpoint`` may take."""
    found = set()
    for rule in current_app.url_map.iter_rules():
        if rule.rule.startswith(API_PATHS):
            found.update(
                f"{method} {_braced(rule.rule)}" for method in rule.methods - {"HEAD", "OPTIONS"}
            )
    return sorted(found, key=lambda endpoint: (endpoint.split(" ")[1], endpoint))


def inject():
    """Before a REST API call: answer it as an armed fault says, or let it through."""
    rule = request.url_rule
    if rule is None or not rule.rule.startswith(API_PATHS):
        return None
    fault = take("api", f"{request.method} {_braced(rule.rule)}")
    if fault is None:
        return None
    if fault.kind == "hang":
        return None if _hang(fault) else _failure(fault)
    if fault.kind == "401":
        error = Unauthorized()
        return _answer(fault, 401, {"code": error.code, "message": error.message, "response": None})
    if fault.kind == "malformed":
        response = make_response(MALFORMED_BODY, 200)
        response.mimetype = "application/json"
        response.headers["X-Sandbox-Fault"] = fault.kind
        return response
    return _failure(fault)


def _hang(fault: Taken) -> bool:
    """Wait out the fault's delay; False if it was cleared (or the sandbox reset) meanwhile."""
    deadline = time.monotonic() + fault.delay
    while (remaining := deadline - time.monotonic()) > 0:
        time.sleep(min(remaining, HANG_POLL))
        # End the read transaction, so each look sees other requests' commits.
        db.session.rollback()
        if not db.session.scalar(select(exists().where(Fault.id == fault.id))):
            return False
    return True


def _failure(fault: Taken):
    return _answer(fault, 500, {"code": -1, "message": HTTP_MESSAGES[500], "response": None})


def _answer(fault: Taken, status: int, envelope: dict):
    response = make_response(envelope, status)
    response.headers["X-Sandbox-Fault"] = fault.kind
    return response


def _known_endpoint(endpoint: str) -> str:
    method, _, path = endpoint.strip().partition(" ")
    endpoint = f"{method.upper()} {path.strip()}"
    known = api_endpoints()
    if endpoint not in known:
        raise BadParameter(
            f"알 수 없는 endpoint입니다: {endpoint[:120]} (예: GET /payments/{{imp_uid}}, "
            "POST /users/getToken)"
        )
    return endpoint


def _seconds(value) -> float:
    """A delay in seconds: a number, or its text, from 0 to ``SANDBOX_FAULT_MAX_DELAY``."""
    longest = current_app.config["SANDBOX_FAULT_MAX_DELAY"]
    try:
        seconds = float(value) if not isinstance(value, bool) else None
    except (TypeError, ValueError):
        seconds = None
    if seconds is None or not 0 <= seconds <= longest:
        raise BadParameter(f"delay 파라메터는 0 이상 {longest:g} 이하의 초여야 합니다.")
    return seconds


def _braced(rule: str) -> str:
    """``/payments/<imp_uid>`` as PortOne writes it: ``/payments/{imp_uid}``."""
    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule)
