"""Publishes the doors' retained ``/data`` when Odoo is its broker's publisher (DESIGN 3a).

Each broker (manager key) has its own lane: a queue, a daemon thread and a backoff, so a
dead broker never delays another. A lane takes every job waiting in its queue at once
(a burst of commits is one round), asks ``plan`` what is due (the caller reads the
database with its own short transaction: nothing is held open while the network is
used), publishes it retained, and hands what the broker took to ``done`` (the caller
stores the hashes). What a down broker missed is published by the next job or cron.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from .backoff import Backoff
from .client import BridgeClient
from .lanes import wait_until_joined
from .publishing import publish_retained
from .settings import BrokerSettings

_logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class PublishJob:
    """Displays (database ids) to bring up to date on one broker, and retained topics to
    clear there (displays deleted before the job runs)."""

    key: str
    settings: BrokerSettings
    display_ids: frozenset[int] = frozenset()
    clear: frozenset[str] = frozenset()

    def merged(self, other: PublishJob) -> PublishJob:
        """Return one job doing both (the newest settings win)."""
        return PublishJob(
            self.key,
            other.settings,
            self.display_ids | other.display_ids,
            self.clear | other.clear,
        )


@dataclass(frozen=True)
class Outgoing:
    """One retained message due: ``payload`` ``b""`` clears ``topic``; ``display_id`` and
    ``content_hash`` say what to remember once the broker has it (None for clears of
    displays that are gone)."""

    topic: str
    payload: bytes
    display_id: int | None = None
    content_hash: str | None = None
    valid_until: str | None = None


ClientFactory = Callable[[str, BrokerSettings], BridgeClient]
Plan = Callable[[PublishJob], list[Outgoing]]
Done = Callable[[PublishJob, list[Outgoing]], None]


class _Lane:
    def __init__(self, publisher: DataPublisher, key: str) -> None:
        self.publisher = publisher
        self.key = key
        self.queue: queue.Queue[PublishJob | None] = queue.Queue()
        self.backoff = Backoff(publisher.backoff_first, publisher.backoff_max)
        self.retry_at = 0.0
        self.thread = threading.Thread(target=self.run, name="connection_conf-data", daemon=True)

    def _take(self, first: PublishJob) -> tuple[PublishJob, int, bool]:
        """Merge every job waiting behind ``first``; return it, how many, and a stop flag."""
        job, count, stop = first, 1, False
        while True:
            try:
                more = self.queue.get_nowait()
            except queue.Empty:
                return job, count, stop
            count += 1
            if more is None:
                stop = True
            else:
                job = job.merged(more)

    def run(self) -> None:
        """Handle jobs until a None arrives."""
        while True:
            first = self.queue.get()
            if first is None:
                self.queue.task_done()
                return
            job, count, stop = self._take(first)
            try:
                self.handle(job)
            except Exception:
                _logger.exception("publishing /data on %s failed", job.settings.host)
            finally:
                for _ in range(count):
                    self.queue.task_done()
            if stop:
                return

    def handle(self, job: PublishJob) -> None:
        """Plan, publish, remember; a broker backing off is skipped (the cron catches up)."""
        publisher = self.publisher
        if time.monotonic() < self.retry_at:
            _logger.debug("/data for %s not published: broker backing off", job.settings.host)
            return
        due = publisher.plan(job)
        if not due:
            return
        client = publisher.client_for(job.key, job.settings)
        if not client.wait_connected(publisher.connect_wait):
            delay = self.backoff.next_delay()
            self.retry_at = time.monotonic() + delay
            _logger.warning(
                "/data of %d displays not published: broker %s down (%s); retrying in %.0f s",
                len(due),
                job.settings.host,
                client.last_message,
                delay,
            )
            return
        self.backoff.reset()
        self.retry_at = 0.0
        taken = set(
            publish_retained(
                client, [(item.topic, item.payload) for item in due], 1, publisher.publish_wait
            )
        )
        published = [item for item in due if item.topic in taken]
        publisher.count(len(published))
        if published:
            publisher.done(job, published)
        if len(published) < len(due):
            _logger.warning(
                "%d /data messages not taken by %s", len(due) - len(published), job.settings.host
            )


class DataPublisher:
    """One lane per broker publishing what ``plan`` says is due."""

    def __init__(
        self,
        client_for: ClientFactory,
        plan: Plan,
        done: Done,
        *,
        connect_wait: float = 5.0,
        publish_wait: float = 30.0,
        backoff_first: float = 5.0,
        backoff_max: float = 300.0,
    ) -> None:
        """``connect_wait`` / ``publish_wait``: seconds a lane waits for its broker / for
        the broker to take one round of messages."""
        self.client_for = client_for
        self.plan = plan
        self.done = done
        self.connect_wait = connect_wait
        self.publish_wait = publish_wait
        self.backoff_first = backoff_first
        self.backoff_max = backoff_max
        self.published = 0
        self._lanes: dict[str, _Lane] = {}
        self._lock = threading.Lock()

    def count(self, published: int) -> None:
        """Add to the number of messages the brokers took (diagnostics, tests)."""
        with self._lock:
            self.published += published

    def submit(self, job: PublishJob) -> None:
        """Queue a job in its broker's lane; returns at once."""
        with self._lock:
            lane = self._lanes.get(job.key)
            if lane is None or not lane.thread.is_alive():
                lane = self._lanes[job.key] = _Lane(self, job.key)
                lane.thread.start()
        lane.queue.put(job)

    def flush(self, timeout: float = 30.0) -> bool:
        """Wait until every lane has handled its queued jobs (tests, benchmarks)."""
        with self._lock:
            lanes = list(self._lanes.values())
        return wait_until_joined((lane.queue for lane in lanes), timeout)

    def stop(self, timeout: float = 5.0) -> None:
        """Stop every lane after its queued jobs."""
        with self._lock:
            lanes, self._lanes = list(self._lanes.values()), {}
        for lane in lanes:
            lane.queue.put(None)
        deadline = time.monotonic() + timeout
        for lane in lanes:
            lane.thread.join(max(0.0, deadline - time.monotonic()))
