"""gunicorn's settings for the shop: ``gunicorn 'shop:create_app()'`` run in this folder reads
them (the Dockerfile copies this file beside it).

gunicorn itself reads ``PORT`` (listen on 0.0.0.0:$PORT; unset: 127.0.0.1:8000) and
``WEB_CONCURRENCY`` (workers); the command line and ``GUNICORN_CMD_ARGS`` override the rest.
"""

import gunicorn.http.wsgi

# One line per request on stdout, errors and the shop's own log (shop.payments) on stderr.
accesslog = "-"
# Longer than a call to PortOne may take (PORTONE_TIMEOUT), so a worker is never killed
# while it waits for one.
timeout = 30

# No control socket (~/.gunicorn/gunicorn.ctl): the shop is managed by restarting it.
control_socket_disable = True

# gunicorn names itself in every response's Server header; say nothing about the software.
gunicorn.http.wsgi.SERVER = "shop"
