"""Requests per second of the catalog, a product page and the cart, against a bare Flask route
on the same gunicorn, with 1 worker and with several.

Runs gunicorn (sync workers, no access log) serving the shop (sandbox mode, SQLite in a
temporary folder, the demo catalog) with a Flask app of one route mounted beside it at
``/bare``. Each round measures every page for ``--seconds`` with the same load (``--clients``
connections at once, a new connection per request), each right after as long a slice of the
bare route; a page's figure is its requests/s over that slice's. The rounds repeat, and the
ratios are given as min/median/max. A first visit (no cookie) gets the catalog and product
pages from the page cache; a buyer with a cart (their session cookie) gets them made afresh.

    .venv/bin/python bench/pages.py [--workers 1 4] [--rounds 7] [--seconds 0.6]
        [--redis URL] [--shop DIR (another checkout's shop, to compare)]
"""

import argparse
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.support.load import hammer
from bench.support.server import REPO, gunicorn, prepare_database, session_with_cart

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
    parser.add_argument("--rounds", type=int, default=7)
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
        with gunicorn(env, workers, args.shop) as (base, _master):
            pages = targets(base, session_with_cart(base, SLUG))
            for url, headers in pages.values():
                hammer(url, 0.3, args.clients, headers)  # warm up every worker
            # Each page right after a slice of the bare route, and its ratio to that slice:
            # a machine shared with other work changes speed from one second to the next.
            bare_url, _ = pages.pop(BARE)
            rates: dict[str, list[float]] = {BARE: [], **{name: [] for name in pages}}
            ratios: dict[str, list[float]] = {name: [] for name in pages}
            for _ in range(args.rounds):
                for name, (url, headers) in pages.items():
                    bare = hammer(bare_url, args.seconds, args.clients).per_second
                    rate = hammer(url, args.seconds, args.clients, headers).per_second
                    rates[BARE].append(bare)
                    rates[name].append(rate)
                    ratios[name].append(rate / bare)
        print(
            f"\ngunicorn, {workers} sync worker{'s' if workers > 1 else ''}: median requests/s, "
            "and the ratio to the bare route's slice just before"
        )
        for name, values in rates.items():
            line = f"  {name:<36} {statistics.median(values):7.0f} req/s"
            if name in ratios:
                line += f"   ×bare: {spread(ratios[name])}"
            print(line)


if __name__ == "__main__":
    main()
