"""What the page benchmarks share: the shop under gunicorn beside a bare Flask route
(``server.py``), and a small HTTP load generator (``load.py``). Not a benchmark itself:
``make bench`` runs the scripts in ``bench/`` only."""
