"""gunicorn's settings for the shop: ``gunicorn 'shop:create_app()'`` run in this folder reads
them (the Dockerfile copies this file beside it).

gunicorn itself reads ``PORT`` (listen on 0.0.0.0:$PORT; unset: 127.0.0.1:8000); the command
line and ``GUNICORN_CMD_ARGS`` override the rest.
"""

import os

import gunicorn.http.wsgi


def _cores() -> int:
    """The cores this process may run on (a container's share, where the OS says it)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


# Sync workers spend most of a payment's time waiting on PortOne and the database: two per
# core, plus one, is gunicorn's advice. WEB_CONCURRENCY (as platforms set it) says otherwise.
workers = int(os.environ.get("WEB_CONCURRENCY") or 2 * _cores() + 1)

# One line per request on stdout, errors and the shop's own log (shop.payments) on stderr.
accesslog = "-"
# A worker silent this long is killed. Longer than the slowest request may take: a refund
# asks PortOne up to three times, each within PORTONE_TIMEOUT (7 s), and a CPU-starved
# machine delays a worker's heartbeat (30 s, gunicorn's default, killed busy workers there).
timeout = 60
# On a restart, requests in flight get this long to finish.
graceful_timeout = 30
# Behind a load balancer that keeps connections open: longer than a page's burst of requests.
keepalive = 5

# No control socket (~/.gunicorn/gunicorn.ctl): the shop is managed by restarting it.
control_socket_disable = True

# gunicorn names itself in every response's Server header; say nothing about the software.
gunicorn.http.wsgi.SERVER = "shop"
