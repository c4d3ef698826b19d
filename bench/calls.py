"""PortOne calls per verified checkout: the shop as it is, against a naive flow.

Each checkout is placed and paid through the shop's own pages (Flask's test client, the
embedded sandbox's Kakao Pay window as a phone shows it), then every door arrives: the
page's callback, the phone's redirect and PortOne's webhook. Every call the shop's PortOne
client sends is counted.

- ours: one token per process, and a notification that cannot change an order already paid
  by that payment answered from the database;
- naive: a token asked for on every call, and every door re-fetching the payment.

Printed per run, then min/median/max over the runs, with naive/ours as a ratio.

    .venv/bin/python bench/calls.py [--checkouts 20] [--runs 5]
"""

import argparse
import statistics
import sys
import tempfile
from contextlib import contextmanager
from pathlib import Path
from unittest import mock

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from shop.models import OrderStatus
from shop.payments import sync_payment
from tests.shop.actions import ShopActions
from tests.shop.apps import make_app


def shop_app(folder: Path):
    """The shop as the tests make it (tests/shop/apps.py), its limits out of the way."""
    return make_app(
        folder,
        LOG_LEVEL="WARNING",
        ORDERS_PER_ADDRESS="100000 per minute",
        WEBHOOKS_PER_ADDRESS="100000 per minute",
    )


@contextmanager
def naive(app):
    """A token fetched for every call, and every door re-fetching the payment."""
    client = app.extensions["portone"]
    fetch = client.access_token

    def every_time(*, replacing=None):
        client._token = None
        return fetch(replacing=replacing)

    with (
        mock.patch.object(client, "access_token", every_time),
        mock.patch(
            "shop.checkout.routes.notified",
            lambda imp_uid, source, claimed=None: sync_payment(imp_uid, source),
        ),
    ):
        yield


def checkouts(app, count: int) -> int:
    """The PortOne calls ``count`` verified checkouts made, every door arriving for each."""
    calls = []
    hook = lambda response, *args, **kwargs: calls.append(response.url)  # noqa: E731
    session = app.extensions["portone"].session
    session.hooks["response"].append(hook)
    try:
        for _ in range(count):
            buyer = ShopActions(app, app.test_client())
            placed = buyer.place(1)
            query = buyer.pay(placed.merchant_uid, placed.amount)
            imp_uid = query["imp_uid"]
            assert buyer.callback(imp_uid).json["status"] == OrderStatus.PAID
            assert buyer.redirect_door(query).status_code == 303
            assert buyer.webhook({"imp_uid": imp_uid, "status": "paid"}).status_code == 200
    finally:
        session.hooks["response"].remove(hook)
    return len(calls)


def spread(values: list[float]) -> str:
    return f"min {min(values):.2f}, median {statistics.median(values):.2f}, max {max(values):.2f}"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--checkouts", type=int, default=20)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    ours, flows, ratios = [], [], []
    for run in range(1, args.runs + 1):
        with tempfile.TemporaryDirectory() as folder:
            # A fresh shop per flow: each starts without a token, as a new process does.
            ours_app = shop_app(Path(folder) / "ours")
            ours_per = checkouts(ours_app, args.checkouts) / args.checkouts
            naive_app = shop_app(Path(folder) / "naive")
            with naive(naive_app):
                naive_per = checkouts(naive_app, args.checkouts) / args.checkouts
        ours.append(ours_per)
        flows.append(naive_per)
        ratios.append(naive_per / ours_per)
        print(
            f"run {run}: {args.checkouts} checkouts, PortOne calls per verified checkout: "
            f"ours {ours_per:.2f}, naive {naive_per:.2f}, naive/ours {naive_per / ours_per:.2f}x"
        )
    print(f"PortOne calls per checkout, ours:  {spread(ours)}")
    print(f"PortOne calls per checkout, naive: {spread(flows)}")
    print(f"naive/ours:                        {spread(ratios)} (x)")


if __name__ == "__main__":
    main()
