"""Requests per second of the catalog, a product page and the cart, against a bare Flask route
on the same gunicorn, with 1 worker and with several.

Runs gunicorn (sync workers, no access log) serving the shop (sandbox mode, SQLite in a
temporary folder, the demo catalog) with a Flask app of one route mounted beside it at
``/bare``. Each round measures every page for ``--seconds`` with the same load (``--clients``
connections at once, a new connection per request), bare route first; each page's figure is
its requests/s over the bare route's in that round. The rounds repeat, and the ratios are
given as min/median/max. A first visit (no cookie) gets the catalog and product pages from the
page cache; a buyer with a cart (their session cookie) gets them made afresh.

    .venv/bin/python bench/pages.py [--workers 1 4] [--rounds 5] [--seconds 1.5] [--redis URL]
"""

import argparse
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.support.load import hammer
from bench.support.server import gunicorn, prepare_database, session_with_cart

SLUG = "jeju-green-tea"


def targets(base: str, cookie: str) -> dict[str, tuple[str, dict]]:
    """What each round measures: name → (URL, headers)."""
    cart = {"Cookie": f"session={cookie}"}
    return {
        "bare Flask route": (f"{base}/bare/", {}),
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
    parser.add_argument("--seconds", type=float, default=1.5)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--redis", help="the page cache on this Redis (redis://…/N)")
    args = parser.parse_args()

    env = prepare_database(Path(tempfile.mkdtemp()))
    if args.redis:
        env["BENCH_REDIS_URL"] = args.redis
    print(
        f"bench/pages.py: {args.rounds} rounds of {args.seconds} s per page, "
        f"{args.clients} connections at once, cache {'Redis' if args.redis else 'simple'}"
    )
    for workers in args.workers:
        with gunicorn(env, workers) as (base, _master):
            pages = targets(base, session_with_cart(base, SLUG))
            for url, headers in pages.values():
                hammer(url, 0.3, args.clients, headers)  # warm up every worker
            rates: dict[str, list[float]] = {name: [] for name in pages}
            for _ in range(args.rounds):
                for name, (url, headers) in pages.items():
                    rates[name].append(hammer(url, args.seconds, args.clients, headers).per_second)
        bare = rates["bare Flask route"]
        print(
            f"\ngunicorn, {workers} sync worker{'s' if workers > 1 else ''}: requests/s, "
            "and the ratio to the bare route in the same round"
        )
        for name, values in rates.items():
            line = f"  {name:<36} {statistics.median(values):7.0f} req/s"
            if name != "bare Flask route":
                ratios = [value / bare[i] for i, value in enumerate(values)]
                line += f"   ×bare: {spread(ratios)}"
            print(line)


if __name__ == "__main__":
    main()
