"""The shop over real HTTP against the standalone sandbox failing on purpose.

While PortOne answers 500, hangs past the client's timeout, answers a malformed body or 401,
a paid order stays pending and its buyer sees "Confirming your payment…" at every door: never
a 500, never a "failed". Then it settles, by ``flask reconcile`` or by the webhook, however
the webhook was dropped, duplicated, delayed or held back. And a fault storm: several
checkouts under mixed faults, reconciled, leave every payment PortOne calls paid in a paid
order or refunded, nothing fulfilled twice, the stock right.
"""

import time
from collections import Counter
from contextlib import contextmanager

import pytest
from sqlalchemy import select, update

from portone_sandbox import models as sandbox_models
from shop.extensions import db
from shop.models import Order, OrderStatus, PaymentEvent, Product
from tests.sandbox_controls import arm_fault, control
from tests.servers import LiveServer
from tests.shop.http_buyer import QUANTITY, Browser, pay_in_window

CONFIRMING = "Confirming your payment…"
PAID = "Thank you! Your order is paid."
FAILED_WORDS = ("failed", "did not approve", "Something went wrong")
# The shop's read timeout while faults are armed, so that a hang costs each call half a second.
# Outside the faults the shop keeps its own timeouts: a loaded machine can take longer than
# this to answer a healthy call, and the orders placed and reconciled here must not fail.
FAULT_READ_TIMEOUT = 0.5
# Long enough to outlast that read timeout.
HANG = 3


@pytest.fixture
def live(sandbox, app_factory):
    """The shop on a live server, its PortOne the standalone sandbox over HTTP."""
    app = app_factory(
        in_memory=False,
        PORTONE_API_BASE=sandbox.url,
        PORTONE_BREAKER_SECONDS=0.2,
        PORTONE_RETRY_BACKOFF=0.01,
    )
    server = LiveServer(app).start()
    yield server
    control("DELETE", f"{sandbox.url}/_sandbox/faults")
    server.stop()


@contextmanager
def faults(live, sandbox, *armed: dict):
    """PortOne failing as ``armed`` says, and the shop's read timeout short, until the end of
    the block: then the faults are cleared and the timeout restored, and once the block has
    passed, the breaker is closed."""
    client = live.app.extensions["portone"]
    timeout = client.timeout
    client.timeout = (timeout[0], FAULT_READ_TIMEOUT)
    try:
        for fault in armed:
            arm_fault(sandbox.url, **fault)
        yield
    finally:
        client.timeout = timeout
        cleared = control("DELETE", f"{sandbox.url}/_sandbox/faults")
    assert cleared.status_code == 200
    wait_for(lambda: not client.breaker.retry_in())


def webhooks_done(sandbox) -> list[dict]:
    """The sandbox's deliveries once none is in flight."""
    answer = control(
        "GET",
        f"{sandbox.url}/_sandbox/webhooks",
        params={"idle": "true", "timeout": 15},
        timeout=30,
    ).json()
    assert answer["settled"], answer
    return answer["deliveries"]


def stock(app, product_id: int) -> int:
    with app.app_context():
        return db.session.get(Product, product_id).stock


def a_product(app) -> int:
    with app.app_context():
        return db.session.scalars(select(Product.id).where(Product.stock >= 20)).first()


def place(live, buyer: Browser, product_id: int) -> Order:
    placed = buyer.place(product_id)
    assert placed.status_code == 303, placed.text
    with live.app.app_context():
        order = db.session.scalars(select(Order).order_by(Order.id.desc())).first()
        db.session.expunge(order)
        return order


def order_now(app, order_id: int) -> Order:
    with app.app_context():
        order = db.session.get(Order, order_id)
        db.session.expunge(order)
        return order


def outcomes(app, order_id: int) -> list[str]:
    with app.app_context():
        return db.session.scalars(
            select(PaymentEvent.outcome)
            .where(PaymentEvent.order_id == order_id)
            .order_by(PaymentEvent.id)
        ).all()


def reconcile(app) -> str:
    result = app.test_cli_runner().invoke(args=["reconcile"])
    assert result.exit_code == 0, result.output
    return result.output


def wait_for(condition, seconds: float = 15.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


API_FAULTS = {
    "500": {"kind": "500"},
    "hang": {"kind": "hang", "delay": HANG},
    "malformed": {"kind": "malformed"},
    "401": {"kind": "401"},
}


@pytest.mark.parametrize("fault", API_FAULTS.values(), ids=API_FAULTS.keys())
def test_while_portone_fails_the_buyer_sees_confirming_then_reconcile_settles(live, sandbox, fault):
    buyer = Browser([live.url])
    product_id = a_product(live.app)
    before = stock(live.app, product_id)
    order = place(live, buyer, product_id)
    # The webhook is lost, and every call to PortOne fails from the moment the buyer pays.
    with faults(live, sandbox, {"kind": "drop"}, {"count": 100, **fault}):
        query = pay_in_window(buyer.http, sandbox.url, live.url, order)

        answer = buyer.callback(query["imp_uid"], order.merchant_uid)
        assert answer.status_code == 200, answer.text
        assert answer.json() == {"status": "pending", "redirect": f"/orders/{order.token}"}
        back = buyer.request("GET", "/checkout/complete/mobile", params=query)
        assert (back.status_code, back.headers["Location"]) == (303, f"/orders/{order.token}")
        page = buyer.request("GET", f"/orders/{order.token}")
        assert page.status_code == 200
        assert CONFIRMING in page.text
        assert not any(word in page.text for word in FAILED_WORDS)
        status = buyer.request("GET", f"/orders/{order.token}/status").json()
        assert (status["status"], status["confirming"]) == ("pending", True)
        assert order_now(live.app, order.id).status == OrderStatus.PENDING
        assert stock(live.app, product_id) == before

    assert reconcile(live.app).rstrip().endswith(": paid 1.")

    assert order_now(live.app, order.id).status == OrderStatus.PAID
    assert stock(live.app, product_id) == before - QUANTITY
    assert outcomes(live.app, order.id).count("paid") == 1
    assert PAID in buyer.request("GET", f"/orders/{order.token}").text


def test_a_dropped_webhook_leaves_the_order_pending_until_reconcile(live, sandbox):
    buyer = Browser([live.url])
    order = place(live, buyer, a_product(live.app))
    arm_fault(sandbox.url, kind="drop")
    # Paid, and the buyer closed the window's page: no door comes.
    pay_in_window(buyer.http, sandbox.url, live.url, order)

    assert [d["result"] for d in webhooks_done(sandbox)] == ["dropped"]
    assert order_now(live.app, order.id).status == OrderStatus.PENDING
    reconcile(live.app)
    assert order_now(live.app, order.id).status == OrderStatus.PAID


def test_a_duplicated_webhook_fulfils_once(live, sandbox):
    buyer = Browser([live.url])
    product_id = a_product(live.app)
    before = stock(live.app, product_id)
    order = place(live, buyer, product_id)
    arm_fault(sandbox.url, kind="duplicate", copies=3)
    pay_in_window(buyer.http, sandbox.url, live.url, order)

    assert [d["http_status"] for d in webhooks_done(sandbox)] == [200] * 3
    # Arriving together, the copies may all re-fetch before the order is paid: one pays it.
    found = outcomes(live.app, order.id)
    assert found.count("paid") == 1
    assert set(found) <= {"paid", "already_paid"}
    assert stock(live.app, product_id) == before - QUANTITY


def test_a_delayed_webhook_settles_the_order_when_it_comes(live, sandbox):
    buyer = Browser([live.url])
    order = place(live, buyer, a_product(live.app))
    arm_fault(sandbox.url, kind="delay", delay=HANG)
    pay_in_window(buyer.http, sandbox.url, live.url, order)

    assert order_now(live.app, order.id).status == OrderStatus.PENDING
    webhooks_done(sandbox)
    assert order_now(live.app, order.id).status == OrderStatus.PAID
    assert outcomes(live.app, order.id) == ["paid"]


def test_a_webhook_held_back_arrives_after_the_next_and_settles_its_order(live, sandbox):
    first_buyer, second_buyer = Browser([live.url]), Browser([live.url], "198.51.100.8")
    product_id = a_product(live.app)
    first = place(live, first_buyer, product_id)
    second = place(live, second_buyer, product_id)
    arm_fault(sandbox.url, kind="reorder")
    pay_in_window(first_buyer.http, sandbox.url, live.url, first)
    assert order_now(live.app, first.id).status == OrderStatus.PENDING

    pay_in_window(second_buyer.http, sandbox.url, live.url, second)
    deliveries = webhooks_done(sandbox)

    assert [d["merchant_uid"] for d in deliveries] == [first.merchant_uid, second.merchant_uid]
    with live.app.app_context():
        paid = db.session.scalars(
            select(Order.merchant_uid)
            .join(PaymentEvent, PaymentEvent.order_id == Order.id)
            .where(PaymentEvent.outcome == "paid")
            .order_by(PaymentEvent.id)
        ).all()
    # Arrived in the order PortOne sent them, the second first: both paid, once.
    assert paid == [second.merchant_uid, first.merchant_uid]


STORM = [
    {"kind": "500", "count": 4},
    {"kind": "malformed", "count": 3, "endpoint": "GET /payments/{imp_uid}"},
    {"kind": "hang", "count": 2, "delay": HANG, "endpoint": "GET /payments/find/{merchant_uid}"},
    {"kind": "401", "count": 3},
    {"kind": "duplicate", "count": 2, "copies": 3},
    {"kind": "drop", "count": 2},
    {"kind": "reorder", "count": 1},
    {"kind": "delay", "count": 1, "delay": 1},
]
BUYERS = 6


def test_after_a_fault_storm_every_paid_payment_is_a_paid_order_or_refunded(live, sandbox):
    product_id = a_product(live.app)
    # The last units of one product go to two buyers: one of them must be refunded.
    with live.app.app_context():
        last = db.session.scalars(select(Product.id).where(Product.id != product_id)).first()
        db.session.execute(update(Product).where(Product.id == last).values(stock=QUANTITY))
        db.session.commit()
    stocks = {product_id: stock(live.app, product_id), last: QUANTITY}
    buyers = [Browser([live.url], f"198.51.100.{n}") for n in range(BUYERS)]
    orders = [place(live, buyer, last if n < 2 else product_id) for n, buyer in enumerate(buyers)]
    with faults(live, sandbox, *STORM):
        for buyer, order in zip(buyers, orders, strict=True):
            query = pay_in_window(buyer.http, sandbox.url, live.url, order)
            callback = buyer.callback(query["imp_uid"], order.merchant_uid)
            assert callback.status_code == 200, callback.text
            assert buyer.request("GET", f"/orders/{order.token}").status_code == 200
        webhooks_done(sandbox)
    reconcile(live.app)

    with sandbox.app.app_context():
        payments = sandbox_models.db.session.scalars(select(sandbox_models.Payment)).all()
        at_portone = {p.imp_uid: (p.status, p.merchant_uid, p.amount) for p in payments}
    with live.app.app_context():
        shop_orders = {o.merchant_uid: o for o in db.session.scalars(select(Order)).all()}
        paid_events = Counter(
            db.session.scalars(
                select(PaymentEvent.order_id).where(PaymentEvent.outcome == "paid")
            ).all()
        )
    assert len(at_portone) == BUYERS
    refunded = 0
    for imp_uid, (status, merchant_uid, amount) in at_portone.items():
        order = shop_orders[merchant_uid]
        if status == "paid":
            # No paid payment orphaned: its order is paid by it, for its amount.
            assert (order.status, order.imp_uid, order.amount) == (
                OrderStatus.PAID,
                imp_uid,
                amount,
            )
        else:
            assert status == "cancelled"
            assert order.status == OrderStatus.SOLD_OUT
            refunded += 1
    assert refunded == 1
    paid_orders = [o for o in shop_orders.values() if o.status == OrderStatus.PAID]
    assert len(paid_orders) == BUYERS - 1
    # Nothing fulfilled twice, and the stock taken once per paid order.
    assert all(paid_events[o.id] == 1 for o in paid_orders)
    assert stock(live.app, last) == 0
    assert stock(live.app, product_id) == stocks[product_id] - QUANTITY * (BUYERS - 2)
