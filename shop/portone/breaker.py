"""A short circuit breaker: after PortOne could not be reached, fail at once for a while.

While PortOne is down every call would wait out its timeouts, and every buyer and webhook
behind it would wait too. For ``cooldown`` seconds after a failure the breaker says no at
once; the first call after that tries PortOne again.
"""

import threading
import time
from collections.abc import Callable


class CircuitBreaker:
    def __init__(self, cooldown: float, clock: Callable[[], float] = time.monotonic):
        self.cooldown = cooldown
        self._clock = clock
        self._open_until = 0.0
        self._lock = threading.Lock()

    def retry_in(self) -> float:
        """Seconds until PortOne may be tried again; 0 when it may be tried now."""
        with self._lock:
            return max(self._open_until - self._clock(), 0.0)

    def failed(self) -> None:
        """PortOne could not be reached: refuse calls for the next ``cooldown`` seconds."""
        with self._lock:
            self._open_until = self._clock() + self.cooldown

    def succeeded(self) -> None:
        with self._lock:
            self._open_until = 0.0
