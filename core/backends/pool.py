"""The backend workers, seen from the app: one process per installed backend, started on first
need and reused, so that after a start of a few seconds every request answers in milliseconds.

A worker stops with the app (its stdin closes when the app exits, however it exits; `stop()`
runs at exit too) and by itself after `idle_s` seconds without a request; the next request
starts it again. Requests to one worker are answered one at a time; different workers work in
parallel. Nothing a worker sends is unpickled: see core.backends.protocol.
"""

from __future__ import annotations

import atexit
import contextlib
import importlib.util
import os
import queue
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from core.backends import protocol

ROOT = Path(__file__).resolve().parents[2]
BACKENDS = ("tensorflow", "jax", "numpy", "torch")  # the reference first
NEEDS = {"tensorflow": "tensorflow", "jax": "jax", "numpy": "jax", "torch": "torch"}
EXTRA = "pip install -r requirements-backends.txt"
INSTALL = {"tensorflow": "pip install -r requirements.txt", "jax": EXTRA, "numpy": EXTRA,
           "torch": "pip install torch --index-url https://download.pytorch.org/whl/cpu"}
IDLE_S = 300  # a worker idle this long exits (and gives its memory back)
START_TIMEOUT_S = 180  # importing a backend on a busy 2-core server
ANSWER_TIMEOUT_S = 120  # the slowest case, loading a model on first use included


def configured() -> tuple[str, ...]:
    """The backends to offer: all of BACKENDS, or those named in $LAB_BACKENDS (comma-separated;
    a small server may leave some out to save memory)."""
    chosen = os.environ.get("LAB_BACKENDS", "").replace(" ", "").lower().split(",")
    return tuple(b for b in BACKENDS if b in chosen) if any(chosen) else BACKENDS


def missing(backend: str) -> str | None:
    """Why `backend` cannot run on this machine (a package is not installed), or None.
    Keras 3.15's NumPy backend imports JAX, hence the same package for both."""
    module = NEEDS[backend]
    if importlib.util.find_spec(module) is None:
        return f"the Python package `{module}` is not installed"
    return None


def worker_env(backend: str) -> dict[str, str]:
    """The worker's environment: its backend, quiet logs, and one thread per operation in every
    library, as in the app's own Keras (core/serving.py): a fair race, and a core left free."""
    return {**os.environ, "KERAS_BACKEND": backend, "TF_CPP_MIN_LOG_LEVEL": "3",
            "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
            "TF_NUM_INTRAOP_THREADS": "1", "TF_NUM_INTEROP_THREADS": "1",
            "XLA_FLAGS": "--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1"}


@dataclass
class Answer:
    backend: str
    ok: bool
    outputs: dict[str, np.ndarray] = field(default_factory=dict)
    seconds: float | None = None  # computing, inside the worker (median of the repeats)
    first_seconds: float | None = None  # the first repeat (loading a model on first use)
    round_trip: float | None = None  # asking to answer, as a click feels it
    error: str | None = None
    unsupported: bool = False  # the backend cannot run this case at all (no autodiff)


class _Process:
    """One started worker process and the thread that reads its answers."""

    def __init__(self, backend: str, idle_s: float, warm: bool):
        self.popen = subprocess.Popen(
            [sys.executable, "-m", "core.backends.worker", backend, str(idle_s),
             *(["--warm"] if warm else [])],
            cwd=ROOT, env=worker_env(backend), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            text=True, encoding="utf-8", bufsize=1)
        self.started = time.perf_counter()
        self.info: dict = {}
        self.ready = threading.Event()
        self.answers: queue.Queue[dict | None] = queue.Queue()
        threading.Thread(target=self._read, name=f"{backend}-worker-reader", daemon=True).start()

    def _read(self) -> None:
        for line in self.popen.stdout:
            try:
                message = protocol.decode(line)
            except ValueError:
                continue
            if message.get("ready"):
                self.info = {**message, "ready_seconds": time.perf_counter() - self.started}
                self.ready.set()
            else:
                self.answers.put(message)
        self.answers.put(None)  # the worker has exited

    @property
    def alive(self) -> bool:
        return self.popen.poll() is None

    def close(self) -> None:
        """Ask the worker to finish (it exits when its stdin closes)."""
        with contextlib.suppress(OSError):  # already closed: it is finishing
            self.popen.stdin.close()

    def stop(self, timeout: float = 5) -> None:
        self.close()
        try:
            self.popen.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.popen.kill()
            self.popen.wait()


class Worker:
    """One backend's worker, (re)started when needed."""

    def __init__(self, backend: str, idle_s: float = IDLE_S, warm: bool = False):
        self.backend, self.idle_s, self.warm = backend, idle_s, warm
        self._lock = threading.Lock()  # one request at a time
        self._process: _Process | None = None
        self._ids = 0

    def start(self) -> None:
        """Start the process if it is not running (returns at once; it imports meanwhile).
        While the worker is busy (answering, or being waited for) it is running: nothing to do."""
        if self._lock.acquire(blocking=False):
            try:
                self._start()
            finally:
                self._lock.release()

    def _start(self) -> _Process:
        if self._process is None or not self._process.alive:
            self._process = _Process(self.backend, self.idle_s, self.warm)
        return self._process

    @property
    def state(self) -> str:
        """'stopped', 'starting' or 'ready'."""
        process = self._process
        if process is None or not process.alive:
            return "stopped"
        return "ready" if process.ready.is_set() else "starting"

    @property
    def info(self) -> dict:
        """What the worker said when it was ready: pid, versions, start_seconds."""
        return self._process.info if self._process else {}

    @property
    def pid(self) -> int | None:
        process = self._process
        return process.popen.pid if process and process.alive else None

    def wait_ready(self, timeout: float = START_TIMEOUT_S) -> bool:
        with self._lock:
            return self._wait_ready(self._start(), timeout)

    @staticmethod
    def _wait_ready(process: _Process, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while not process.ready.wait(0.1):
            if not process.alive or time.monotonic() > deadline:
                return False
        return True

    def ask(self, case: str, args: dict | None = None, repeats: int = 1,
            timeout: float = ANSWER_TIMEOUT_S) -> Answer:
        """Run `case(**args)` in the worker (starting it if need be) and wait for the answer."""
        with self._lock:
            process = self._start()
            if not self._wait_ready(process, START_TIMEOUT_S):
                process.stop()
                return Answer(self.backend, False, error="the worker did not start "
                              f"(exit code {process.popen.poll()})")
            self._ids += 1
            started = time.perf_counter()
            try:
                process.popen.stdin.write(protocol.encode(
                    {"id": self._ids, "case": case, "args": args or {}, "repeats": repeats}))
                process.popen.stdin.flush()
            except OSError as err:  # it exited meanwhile (idle): start afresh next time
                return Answer(self.backend, False, error=f"the worker stopped ({err})")
            while True:
                try:
                    message = process.answers.get(timeout=max(0.0, started + timeout
                                                                - time.perf_counter()))
                except queue.Empty:
                    process.stop()  # stuck: the next request starts a fresh one
                    return Answer(self.backend, False, error=f"no answer within {timeout:.0f} s")
                if message is None:
                    return Answer(self.backend, False, error="the worker stopped "
                                  f"(exit code {process.popen.wait()})")
                if message.get("id") == self._ids:  # (an answer to an abandoned request: skip)
                    break
        return Answer(self.backend, bool(message.get("ok")), message.get("outputs") or {},
                      message.get("seconds"), message.get("first_seconds"),
                      time.perf_counter() - started, message.get("error"),
                      bool(message.get("unsupported")))

    def close(self) -> None:
        """Ask the worker to finish, without waiting (see `stop`)."""
        if self._process is not None:
            self._process.close()

    def stop(self) -> None:
        with self._lock:
            if self._process is not None:
                self._process.stop()


class Pool:
    """A worker for every installed backend among `backends` (default: `configured()`), the
    missing ones with why. `warm`: each worker runs the page's first cases before it is ready."""

    def __init__(self, backends: tuple[str, ...] | None = None, idle_s: float = IDLE_S,
                 warm: bool = False):
        backends = configured() if backends is None else backends
        self.missing = {b: why for b in backends if (why := missing(b))}
        self.workers = {b: Worker(b, idle_s, warm) for b in backends if b not in self.missing}
        atexit.register(self.stop)

    def start(self) -> None:
        for worker in self.workers.values():
            worker.start()

    def states(self) -> dict[str, str]:
        """backend -> 'ready', 'starting', 'stopped' or 'missing'."""
        return {**{b: w.state for b, w in self.workers.items()},
                **dict.fromkeys(self.missing, "missing")}

    def ready(self) -> bool:
        return all(w.state == "ready" for w in self.workers.values())

    def wait_ready(self, timeout: float = START_TIMEOUT_S) -> bool:
        with ThreadPoolExecutor(max(1, len(self.workers))) as threads:
            return all(threads.map(lambda w: w.wait_ready(timeout), self.workers.values()))

    def run(self, case: str, args: dict | None = None, repeats: int = 1,
            timeout: float = ANSWER_TIMEOUT_S) -> dict[str, Answer]:
        """The same case on every worker at once; answers in BACKENDS order."""
        with ThreadPoolExecutor(max(1, len(self.workers))) as threads:
            futures = {b: threads.submit(w.ask, case, args, repeats, timeout)
                       for b, w in self.workers.items()}
            return {b: f.result() for b, f in futures.items()}

    def pids(self) -> dict[str, int]:
        return {b: pid for b, w in self.workers.items() if (pid := w.pid) is not None}

    def stop(self) -> None:
        """Every worker at once: each is asked to finish, then waited for."""
        for worker in self.workers.values():
            worker.close()
        for worker in self.workers.values():
            worker.stop()


def worker_pids(parent: int) -> list[int]:
    """The backend workers that process `parent` started, from any of its threads (Linux's
    /proc; empty elsewhere). For measuring a server's memory and checking they stop with it."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            ppid = int(stat.read_text().rsplit(")", 1)[1].split()[1])
            if ppid == parent and b"core.backends.worker" in (stat.parent / "cmdline").read_bytes():
                found.append(int(stat.parent.name))
        except (OSError, IndexError, ValueError):
            continue
    return found
