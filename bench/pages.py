"""Requests per second of the catalog, a product page and the cart, against a bare Flask route
on the same gunicorn, with 1 worker and with several.

Runs gunicorn (sync workers, no access log) serving the shop (sandbox mode, SQLite in a
temporary folder, the demo catalog) with a Flask app of one route mounted beside it at
``/bare``. Each round measures every page for ``--seconds`` with the same load (``--clients``
connections at once, a new connection per request), each right after as long a slice of the
bare route; a page's figure is its requests/s over that slice's. The rounds repeat, and the
ratios are given as min/median/max, by the clock and per CPU-second the workers used: on a
machine shared with other work the clock's figures swing with everything else running, while
a request's CPU time is what a worker with a core of its own would spend on it. A first visit
(no cookie) gets the catalog and product pages from the page cache; a buyer with a cart (their
session cookie) gets them made afresh.

    .venv/bin/python bench/pages.py [--workers 1 4] [--rounds 5] [--seconds 0.6]
        [--redis URL] [--shop DIR (another checkout's shop, to compare)]
"""

import argparse
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.support.load import hammer
from bench.support.server import (
    REPO,
    cpu_seconds,
    gunicorn,
    prepare_database,
    session_with_cart,
    worker_pids,
)

SLUG = "jeju-green-tea"
BARE = "bare Flask route"


def targets(base: str, cookie: str) -> dict[str, tuple[str, dict]]:
    """What each round measures: name → (URL, headers)."""
    cart = {"Cookie": f"session={cookie}"}
    return {
        BARE: (f"{base}/bare/", {}),
        "catalog, first visit (cached)": (f"{base}/", {}),
        "product page, first visit (cached)": (f"{base}/products/{SLUG}", {}),
        "catalog, buyer with a cart": (f"{base}/", cart),
        "product page, buyer with a cart": (f"{base}/products/{SLUG}", cart),
        "cart, buyer with a cart": (f"{base}/cart/", cart),
    }


def spread(values: list[float]) -> str:
    return f"min {min(values):.2f}  median {statistics.median(values):.2f}  max {max(values):.2f}"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 4])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=0.6)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--redis", help="the page cache on this Redis (redis://…/N)")
    parser.add_argument(
        "--shop", type=Path, default=REPO, help="serve the shop of this checkout (to compare)"
    )
    args = parser.parse_args()

    env = prepare_database(Path(tempfile.mkdtemp()))
    if args.redis:
        env["BENCH_REDIS_URL"] = args.redis
    print(
        f"bench/pages.py: {args.rounds} rounds of {args.seconds} s per page, "
        f"{args.clients} connections at once, cache {'Redis' if args.redis else 'simple'}"
    )
    for workers in args.workers:
        with gunicorn(env, workers, args.shop) as (base, master):
            pids = worker_pids(master.pid)
            pages = targets(base, session_with_cart(base, SLUG))
            for url, headers in pages.values():
                hammer(url, 0.3, args.clients, headers)  # warm up every worker
            bare_url, _ = pages.pop(BARE)
            wall = {BARE: [], **{name: [] for name in pages}}
            cpu = {BARE: [], **{name: [] for name in pages}}
            for _ in range(args.rounds):
                for name, (url, headers) in pages.items():
                    # Each page right after a slice of the bare route.
                    for measured, (target, sent) in (
                        (BARE, (bare_url, {})),
                        (name, (url, headers)),
                    ):
                        used = cpu_seconds(pids)
                        result = hammer(target, args.seconds, args.clients, sent)
                        used = cpu_seconds(pids) - used
                        wall[measured].append(result.per_second)
                        cpu[measured].append(result.requests / used if used else float("nan"))
        plural = "s" if workers > 1 else ""
        for title, figures in (
            ("requests/s by the clock", wall),
            ("requests per CPU-second of the workers", cpu),
        ):
            print(
                f"\ngunicorn, {workers} sync worker{plural}: {title} (median), and the ratio "
                "to the bare route's slice just before it"
            )
            print_table(figures)


def print_table(figures: dict[str, list[float]]) -> None:
    bare = figures[BARE]
    # The bare route was measured once before each page, in the same order.
    pages = [name for name in figures if name != BARE]
    for name, values in figures.items():
        line = f"  {name:<36} {statistics.median(values):7.0f}"
        if name != BARE:
            index = pages.index(name)
            before = bare[index :: len(pages)]
            line += f"   ×bare: {spread([v / b for v, b in zip(values, before, strict=True)])}"
        print(line)


if __name__ == "__main__":
    main()
