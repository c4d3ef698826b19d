"""A small HTTP/1.1 load generator on asyncio: ``concurrency`` connections at once, each
request on a new connection (gunicorn's sync workers close every connection), for a time.

Light enough to leave most of a small machine's CPU to the server, and the same for every
target of one run, so the ratios between targets hold even where it is not.
"""

import asyncio
import time
from dataclasses import dataclass
from urllib.parse import urlsplit


@dataclass
class Result:
    requests: int
    seconds: float
    statuses: dict

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds


def hammer(url: str, seconds: float, concurrency: int = 8, headers: dict | None = None) -> Result:
    """GET ``url`` as often as it answers for ``seconds``; every answer must be 200."""
    return asyncio.run(_hammer(url, seconds, concurrency, headers or {}))


def count(url: str, total: int, concurrency: int = 8, headers: dict | None = None) -> Result:
    """GET ``url`` ``total`` times."""
    return asyncio.run(_hammer(url, None, concurrency, headers or {}, total))


async def _hammer(url, seconds, concurrency, headers, total=None) -> Result:
    parts = urlsplit(url)
    target = parts.path + (f"?{parts.query}" if parts.query else "")
    lines = [f"GET {target} HTTP/1.1", f"Host: {parts.netloc}", "Connection: close"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    request = ("\r\n".join(lines) + "\r\n\r\n").encode()
    statuses: dict = {}
    done = 0
    started = time.perf_counter()
    deadline = started + seconds if seconds else None

    async def one_client():
        nonlocal done
        while True:
            if deadline and time.perf_counter() >= deadline:
                return
            if total is not None:
                if done >= total:
                    return
                done += 1
            reader, writer = await asyncio.open_connection(parts.hostname, parts.port)
            writer.write(request)
            answer = await reader.read()
            writer.close()
            status = int(answer[9:12])
            statuses[status] = statuses.get(status, 0) + 1
            if total is None:
                done += 1

    await asyncio.gather(*(one_client() for _ in range(concurrency)))
    elapsed = time.perf_counter() - started
    if set(statuses) != {200}:
        raise SystemExit(f"{url} answered {statuses}")
    return Result(done, elapsed, statuses)
