"""Memory of a gunicorn worker serving the shop: its resident set after 1,000 and after 10,000
requests.

Runs gunicorn with one sync worker serving the shop (sandbox mode, SQLite in a temporary
folder, the demo catalog) and sends it a mix of pages in turn: the catalog, its searches
(each a page of its own in the page cache, up to ``CACHE_THRESHOLD``), product pages as a
first visit, and a buyer's cart. The worker's RSS (``VmRSS``) is
read after a warm-up of 100 requests, after 1,000 and after 10,000; each run is a fresh
gunicorn, and the growth from 1,000 to 10,000 is given over the runs as min/median/max.

    .venv/bin/python bench/memory.py [--runs 2]
"""

import argparse
import itertools
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.support.load import count
from bench.support.server import (
    gunicorn,
    prepare_database,
    rss_kib,
    session_with_cart,
    worker_pids,
)
from shop.catalog.seed import PRODUCTS

CHECKPOINTS = (100, 1_000, 10_000)


def requests_in_turn(base: str, cookie: str):
    """The endless mix of pages the worker is sent, one (URL, headers) after another: mostly
    first visits' catalog and product pages, from the cache; a search never made before and
    a buyer's cart, made afresh, one in five."""
    cart = {"Cookie": f"session={cookie}"}
    searches = (f"{base}/?q=q{number}" for number in itertools.count())
    for fields in itertools.cycle(PRODUCTS):
        product = f"{base}/products/{fields['slug']}"
        yield from (
            (f"{base}/", {}),
            (product, {}),
            (f"{base}/?page=1", {}),
            (product, {}),
            (next(searches), {}),
            (f"{base}/", {}),
            (product, {}),
            (f"{base}/", {}),
            (product, {}),
            (f"{base}/cart/", cart),
        )


def one_run(env: dict) -> list[int]:
    """RSS in KiB at each checkpoint, in a fresh gunicorn."""
    with gunicorn(env, workers=1) as (base, master):
        [worker] = worker_pids(master.pid)
        pages = requests_in_turn(base, session_with_cart(base, PRODUCTS[0]["slug"]))
        sent, sizes = 0, []
        for checkpoint in CHECKPOINTS:
            while sent < checkpoint:
                # A few of each page at once, so the worker is never idle.
                url, headers = next(pages)
                count(url, 5, concurrency=5, headers=headers)
                sent += 5
            sizes.append(rss_kib(worker))
    return sizes


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=2)
    args = parser.parse_args()
    env = prepare_database(Path(tempfile.mkdtemp()))
    runs = [one_run(env) for _ in range(args.runs)]
    print(f"bench/memory.py: RSS of one gunicorn sync worker, {args.runs} fresh runs")
    for index, checkpoint in enumerate(CHECKPOINTS):
        sizes = [run[index] / 1024 for run in runs]
        print(
            f"  after {checkpoint:>6,} requests: min {min(sizes):.1f} MiB  "
            f"median {statistics.median(sizes):.1f} MiB  max {max(sizes):.1f} MiB"
        )
    growth = [run[2] / run[1] for run in runs]
    print(
        "  10,000 over 1,000 requests: "
        f"min {min(growth):.3f}  median {statistics.median(growth):.3f}  max {max(growth):.3f}"
    )


if __name__ == "__main__":
    main()
