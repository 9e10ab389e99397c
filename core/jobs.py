"""One fair queue for heavy work (dreams, in-page training) shared by every student.

Jobs run first come, first served on a fixed number of worker threads, so a class can never
start more heavy work at once than the machine has room for. A waiting student can see their
place in the line and an estimated wait, and can leave it; when the line is full, `submit`
says so at once instead of letting anyone hang. A job with a `key` (its inputs, hashed) is
shared: if the same work is already waiting, running or recently done, every student who asks
for it gets that one job and its cached result.
"""

from __future__ import annotations

import atexit
import itertools
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

WAITING, RUNNING, DONE, FAILED, CANCELLED = "waiting", "running", "done", "failed", "cancelled"


class QueueFull(RuntimeError):
    """The line is as long as it may get. The message says so in English; a page words it in
    the student's language from `waiting`, `kinds` and `wait_s` (this module never translates:
    its work runs in threads that belong to no student)."""

    def __init__(self, waiting: int, kinds: list[str], wait_s: float) -> None:
        self.waiting, self.kinds, self.wait_s = waiting, kinds, wait_s
        super().__init__(f"The server is full: {waiting} students are already waiting for "
                         f"{' and '.join(kinds) or 'their turn'}. Please try again in about "
                         f"{_words(wait_s)}.")


class Cancelled(Exception):
    """Raised inside running work by `Job.check()` once its student asked it to stop."""


@dataclass(eq=False)
class Job:
    """One piece of heavy work; the worker fills in `progress`, `result` or `error`."""

    kind: str
    run: Callable[[Job], Any] | None  # called with the job: it reports progress, sees cancel
    key: str | None = None
    id: int = 0
    state: str = WAITING
    progress: float = 0.0  # 0..1, set by `report`
    message: str = ""  # English, marked N_(); the page shows _(message, **message_values)
    message_values: dict[str, Any] = field(default_factory=dict)
    preview: Any = None  # anything the work wants shown while it runs (an image)
    result: Any = None
    error: BaseException | None = None
    submitted_at: float = field(default_factory=time.monotonic)
    started_at: float | None = None
    finished_at: float | None = None
    cancel_event: threading.Event = field(default_factory=threading.Event)
    queue: JobQueue | None = None
    followers: int = 1  # students waiting for this job; it is cancelled when the last one leaves

    @property
    def finished(self) -> bool:
        return self.state in (DONE, FAILED, CANCELLED)

    @property
    def cancelled(self) -> bool:
        return self.cancel_event.is_set()

    def report(self, progress: float, message: str = "", preview: Any = None,
               **values: Any) -> None:
        """Called by the work itself: how far it is, in words, and optionally a preview. The
        words are an English message marked N_() with its placeholders' `values`, e.g.
        ``job.report(p, N_("Epoch {epoch} of {epochs}"), epoch=3, epochs=20)``: the page
        translates them for the student who follows the job."""
        self.progress, self.message = min(max(progress, 0.0), 1.0), message
        self.message_values = values
        if preview is not None:
            self.preview = preview

    def check(self) -> None:
        """Called by the work between steps: stops it (raises Cancelled) once cancelled."""
        if self.cancel_event.is_set():
            raise Cancelled

    def position(self) -> int:
        """0 while running or finished; else 1 for the next job to start, 2 after it, …"""
        return self.queue.position(self) if self.queue is not None else 0

    def estimated_wait_s(self) -> float:
        return self.queue.estimated_wait_s(self) if self.queue is not None else 0.0

    def cancel(self) -> None:
        """This student leaves: the job leaves the line, or running work is asked to stop at
        its next `check()`, unless other students still wait for the same (shared) job."""
        if self.queue is not None:
            self.queue.cancel(self)


class JobQueue:
    """First come, first served; at most `workers` jobs at once and `capacity` waiting."""

    def __init__(self, workers: int = 1, capacity: int = 20, cache_size: int = 32,
                 typical_s: dict[str, float] | None = None) -> None:
        self.workers, self.capacity = workers, capacity
        self._line: deque[Job] = deque()
        self._running: list[Job] = []
        self._shared: dict[str, Job] = {}  # key -> the job waiting or running for it
        self._cache: OrderedDict[str, Job] = OrderedDict()  # key -> a finished job, newest last
        self._cache_size = cache_size
        self._typical = dict(typical_s or {})  # kind -> seconds a job takes (learned as we go)
        self._ids = itertools.count(1)
        self._lock = threading.Condition()
        self._threads = [threading.Thread(target=self._work, name=f"job-worker-{i}", daemon=True)
                         for i in range(workers)]
        for thread in self._threads:
            thread.start()

    # --- what a page calls ------------------------------------------------------------------
    def submit(self, kind: str, run: Callable[[Job], Any], key: str | None = None) -> Job:
        """Queue `run(job)`; the same `key` gets the same job (and a finished one, its result).
        Raises QueueFull when `capacity` jobs already wait."""
        with self._lock:
            if key is not None:
                if key in self._cache:
                    self._cache.move_to_end(key)
                    return self._cache[key]
                if key in self._shared:
                    self._shared[key].followers += 1
                    return self._shared[key]
            if len(self._line) >= self.capacity:
                raise QueueFull(len(self._line), self._kinds_busy(),
                                self._wait_for(len(self._line) + 1, kind))
            job = Job(kind, run, key=key, id=next(self._ids), queue=self)
            self._line.append(job)
            if key is not None:
                self._shared[key] = job
            self._lock.notify()
            return job

    def cached(self, key: str) -> Job | None:
        """A finished job for `key`, if one is cached (without queueing anything)."""
        with self._lock:
            return self._cache.get(key)

    def position(self, job: Job) -> int:
        with self._lock:
            return self._line.index(job) + 1 if job.state == WAITING and job in self._line else 0

    def estimated_wait_s(self, job: Job) -> float:
        """Until `job` starts: the work ahead of it, spread over the workers."""
        with self._lock:
            position = self._line.index(job) + 1 if job in self._line else 0
            return self._wait_for(position, job.kind) if position else 0.0

    def cancel(self, job: Job) -> None:
        with self._lock:
            if job.finished:
                return
            job.followers -= 1
            if job.followers > 0:
                return
            job.cancel_event.set()
            if job.state == WAITING and job in self._line:
                self._line.remove(job)
                self._finish(job, CANCELLED)

    def waiting(self) -> int:
        with self._lock:
            return len(self._line)

    def stop(self, timeout: float = 10.0) -> None:
        """Empty the line and ask running work to stop (the process is exiting)."""
        with self._lock:
            for job in list(self._line) + self._running:
                job.followers = 1
                job.cancel_event.set()
            self._line.clear()
        self.wait_idle(timeout)

    def wait_idle(self, timeout: float) -> bool:
        """Wait until nothing waits or runs (for tests and the command line)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                if not self._line and not self._running:
                    return True
            time.sleep(0.05)
        return False

    # --- inside -----------------------------------------------------------------------------
    def _wait_for(self, position: int, kind: str) -> float:
        now = time.monotonic()
        left = sorted(max(self._typical.get(j.kind, 30.0) - (now - (j.started_at or now)), 1.0)
                      for j in self._running)
        ahead = list(self._line)[:position - 1]
        # a worker frees up when its running job ends; the jobs ahead then take turns
        free_at = left + [0.0] * (self.workers - len(left))
        for j in ahead:
            free_at.sort()
            free_at[0] += self._typical.get(j.kind, 30.0)
        return min(free_at) if free_at else 0.0

    def _kinds_busy(self) -> list[str]:
        return sorted({j.kind for j in self._running} | {j.kind for j in self._line})

    def _work(self) -> None:
        while True:
            with self._lock:
                while not self._line:
                    self._lock.wait()
                job = self._line.popleft()
                job.state, job.started_at = RUNNING, time.monotonic()
                self._running.append(job)
            try:
                result, state, error = job.run(job), DONE, None
            except BaseException as err:  # noqa: BLE001 - reported to the student, not raised
                result, state, error = None, FAILED, err
            with self._lock:
                self._running.remove(job)
                job.result, job.error = result, error
                if job.cancelled:  # stopped, or finished after its student left
                    state = CANCELLED
                if state == DONE:
                    took = time.monotonic() - job.started_at
                    typical = self._typical.get(job.kind, took)
                    self._typical[job.kind] = 0.7 * typical + 0.3 * took  # recent jobs count most
                self._finish(job, state)

    def _finish(self, job: Job, state: str) -> None:
        job.state, job.finished_at = state, time.monotonic()
        job.run = job.preview = None  # what the work held (a photo, a dataset) can go now
        if job.key is not None and self._shared.get(job.key) is job:
            del self._shared[job.key]
            if state == DONE:
                self._cache[job.key] = job
                while len(self._cache) > self._cache_size:
                    self._cache.popitem(last=False)


def _words(seconds: float) -> str:
    if seconds < 90:
        return f"{max(5, round(seconds / 5) * 5):.0f} seconds"
    return f"{round(seconds / 60):.0f} minutes"


_SHARED: JobQueue | None = None
_SHARED_LOCK = threading.Lock()


def shared_queue() -> JobQueue:
    """The one queue of this server process, for every page and every student."""
    global _SHARED
    with _SHARED_LOCK:
        if _SHARED is None:
            _SHARED = JobQueue(workers=1, capacity=20,
                               typical_s={"dream": 40.0, "training": 20.0, "style": 10.0})
            # TensorFlow aborts the process if it exits with work still running in a thread
            atexit.register(_SHARED.stop)
        return _SHARED
