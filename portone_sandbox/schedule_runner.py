"""The runner that charges due schedules when no request asks it to: one daemon thread per app
and process, polling every ``SANDBOX_SCHEDULE_INTERVAL`` seconds.

It starts lazily: when a schedule is booked or moved, and at the first request a process serves
while schedules are booked (a new gunicorn worker, a restarted sandbox). Every process that
starts one polls the same database; ``schedules.run_due`` makes sure each schedule still runs
once. The thread holds the app only weakly, so an app that is dropped (as tests drop theirs)
takes its runner with it.
"""

import os
import threading
import weakref
from contextlib import contextmanager

from flask import Flask, current_app

from portone_sandbox import schedules


class Runner:
    """One app's runner in this process."""

    def __init__(self):
        # Held for each pass: a reset waits for the pass instead of being written into.
        self.lock = threading.Lock()
        self.starting = threading.Lock()
        self.thread: threading.Thread | None = None
        self.stop = threading.Event()
        self.pid: int | None = None
        self.checked_pid: int | None = None


_runners_lock = threading.Lock()


def _runner(app: Flask) -> Runner:
    with _runners_lock:
        return app.extensions.setdefault("sandbox_schedule_runner", Runner())


def ensure_running(app: Flask | None = None) -> None:
    """Start this process's runner for ``app`` (the current one by default) unless it runs
    already or ``SANDBOX_SCHEDULE_RUNNER`` is off."""
    app = app or current_app._get_current_object()
    if not app.config["SANDBOX_SCHEDULE_RUNNER"]:
        return
    runner = _runner(app)
    with runner.starting:
        # A forked worker inherits the object but not the thread.
        alive = runner.thread is not None and runner.thread.is_alive()
        if alive and runner.pid == os.getpid():
            return
        runner.stop = threading.Event()
        runner.pid = os.getpid()
        runner.thread = threading.Thread(
            target=_loop,
            args=(weakref.ref(app), runner, runner.stop, app.config["SANDBOX_SCHEDULE_INTERVAL"]),
            name="sandbox-schedule-runner",
            daemon=True,
        )
        runner.thread.start()


def start_if_booked() -> None:
    """Before the first request a process serves: start the runner if schedules are waiting."""
    app = current_app._get_current_object()
    runner = _runner(app)
    if runner.checked_pid == os.getpid():
        return
    runner.checked_pid = os.getpid()
    if app.config["SANDBOX_SCHEDULE_RUNNER"] and schedules.any_booked():
        ensure_running(app)


def stop(app: Flask, timeout: float = 5.0) -> None:
    """Stop ``app``'s runner in this process and wait for its pass to end."""
    runner = _runner(app)
    with runner.starting:
        runner.stop.set()
        thread, runner.thread = runner.thread, None
    if thread is not None and thread is not threading.current_thread():
        thread.join(timeout)


def run_now() -> list:
    """One pass, now, in this thread: the schedules it ran."""
    with _runner(current_app._get_current_object()).lock:
        return schedules.run_due()


@contextmanager
def paused():
    """Keep this process's runner between passes while the state is wiped."""
    with _runner(current_app._get_current_object()).lock:
        yield


def _loop(app_ref, runner: Runner, stop_event: threading.Event, interval: float) -> None:
    while not stop_event.wait(interval):
        app = app_ref()
        if app is None:
            return
        try:
            with app.app_context(), runner.lock:
                schedules.run_due()
        except Exception:
            # The next pass tries again; a runner that died would leave schedules unrun.
            app.logger.exception("the schedule runner's pass failed")
        del app
