"""Real HTTP servers for the tests on 127.0.0.1 and a free port: a WSGI app in a thread, or
the shop under gunicorn in processes of its own."""

import re
import subprocess
import sys
import threading
from pathlib import Path

from werkzeug.serving import make_server

ROOT = Path(__file__).resolve().parents[1]
GUNICORN_LISTENING = re.compile(r"Listening at: (http://127\.0\.0\.1:\d+)")
GUNICORN_START_TIMEOUT = 30


class LiveServer:
    """A WSGI app served over real HTTP on 127.0.0.1 and a free port, in a thread."""

    def __init__(self, app):
        self.app = app
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.port = self.server.server_port
        self.url = f"http://127.0.0.1:{self.port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self) -> "LiveServer":
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.thread.join(timeout=5)


class Gunicorn:
    """The shop served by gunicorn with the repository's ``gunicorn.conf.py``, in a process of
    its own, on 127.0.0.1 and a free port: one host of several behind a load balancer."""

    def __init__(self, env: dict, workers: int = 2, cwd=ROOT):
        self.process = subprocess.Popen(
            [
                sys.executable, "-m", "gunicorn", "--config", str(ROOT / "gunicorn.conf.py"),
                "--bind", "127.0.0.1:0", "--workers", str(workers), "shop:create_app()",
            ],
            cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        self.log: list[str] = []
        self.url: str | None = None
        self._listening = threading.Event()
        threading.Thread(target=self._read_log, daemon=True).start()
        if not self._listening.wait(GUNICORN_START_TIMEOUT):
            self.stop()
            raise AssertionError("gunicorn did not start:\n" + "".join(self.log))

    def _read_log(self) -> None:
        """Keep gunicorn's log (its pipe never fills up), and note the address it listens at."""
        for line in self.process.stderr:
            self.log.append(line)
            match = GUNICORN_LISTENING.search(line)
            if match and self.url is None:
                self.url = match.group(1)
                self._listening.set()

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=5)
