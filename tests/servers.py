"""Real HTTP servers for the tests: a WSGI app on 127.0.0.1 and a free port, in a thread."""

import threading

from werkzeug.serving import make_server


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
