"""What the per-broker lanes (change notices, room data) share: waiting for their queues."""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Iterable
from typing import Any


def wait_until_joined(queues: Iterable[queue.Queue[Any]], timeout: float) -> bool:
    """Wait until every item put on each of ``queues`` is handled (``Queue.join``), within
    ``timeout`` seconds in all; False when the time ran out first."""
    deadline = time.monotonic() + timeout
    for waiting in queues:
        done = threading.Event()
        threading.Thread(target=lambda q=waiting, d=done: (q.join(), d.set()), daemon=True).start()
        if not done.wait(max(0.0, deadline - time.monotonic())):
            return False
    return True
