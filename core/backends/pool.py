"""The backend workers, seen from the app: one process per installed backend, started on first
need and reused, so that after a start of a few seconds every request answers in milliseconds.

A worker stops with the app (its stdin closes when the app exits, however it exits; `stop()`
runs at exit too) and by itself after `idle_s` seconds without a request; the next request
starts it again. Requests to one worker are answered one at a time; different workers work in
parallel. Nothing a worker sends is unpickled: see core.backends.protocol.

What goes wrong with a worker (it does not start, stops while answering, or does not answer in
time) comes back as data, a `Trouble`, for the page to word in the student's language: this
module runs in the pool's threads, outside any student's script run, and never translates.
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
START_TIMEOUT_S = 180  # importing a backend (and warming up) on a busy 2-core server
ANSWER_TIMEOUT_S = 120  # the slowest case, loading a model on first use included
# What can go wrong with a worker (`Trouble.kind`)
START_FAILED = "start_failed"  # it exited before it was ready (a broken install, no memory)
START_SLOW = "start_slow"  # not ready within its start timeout: stopped
STOPPED = "stopped"  # it exited while answering (ended, or out of memory)
NO_ANSWER = "no_answer"  # no answer within its answer timeout: stopped


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


@dataclass(frozen=True)
class Trouble:
    """What went wrong with a worker process, as data: `kind` (START_FAILED, START_SLOW,
    STOPPED, NO_ANSWER), its exit code where it exited (negative: ended by that signal) and
    the seconds waited where it timed out."""

    kind: str
    exit_code: int | None = None
    seconds: float | None = None


@dataclass
class Answer:
    backend: str
    ok: bool
    outputs: dict[str, np.ndarray] = field(default_factory=dict)
    seconds: float | None = None  # computing, inside the worker (median of the repeats)
    first_seconds: float | None = None  # the first repeat (loading a model on first use)
    round_trip: float | None = None  # asking to answer, as a click feels it
    error: str | None = None  # what the case raised in the worker, as Python words it
    unsupported: bool = False  # the backend cannot run this case at all (no autodiff)
    trouble: Trouble | None = None  # the worker itself failed (then `error` is None)


class _Process:
    """One started worker process, the thread that reads its answers, and the timer that stops
    it if it is not ready within `start_timeout` seconds (so that nobody waits longer)."""

    def __init__(self, backend: str, idle_s: float, warm: bool, start_timeout: float):
        self.popen = subprocess.Popen(
            [sys.executable, "-m", "core.backends.worker", backend, str(idle_s),
             *(["--warm"] if warm else [])],
            cwd=ROOT, env=worker_env(backend), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            text=True, encoding="utf-8", bufsize=1)
        self.started = time.perf_counter()
        self.start_timeout = start_timeout
        self.too_slow = False  # stopped by the timer: not ready in time
        self.closed = False  # asked to finish: whatever follows is no trouble
        self.info: dict = {}
        self.ready = threading.Event()
        self.answers: queue.Queue[dict | None] = queue.Queue()
        threading.Thread(target=self._read, name=f"{backend}-worker-reader", daemon=True).start()
        self._watchdog = threading.Timer(start_timeout, self._stop_if_not_ready)
        self._watchdog.daemon = True
        self._watchdog.start()

    def _stop_if_not_ready(self) -> None:
        if not self.ready.is_set() and self.alive:
            self.too_slow = True
            self.popen.kill()

    def _read(self) -> None:
        for line in self.popen.stdout:
            try:
                message = protocol.decode(line)
            except ValueError:
                continue
            if message.get("ready"):
                self._watchdog.cancel()
                self.info = {**message, "ready_seconds": time.perf_counter() - self.started}
                self.ready.set()
            else:
                self.answers.put(message)
        self.answers.put(None)  # the worker has exited

    @property
    def alive(self) -> bool:
        return self.popen.poll() is None

    @property
    def trouble(self) -> Trouble | None:
        """Why it is not running, unless it was asked to finish or stopped idle (exit code 0):
        it never got ready (START_SLOW, START_FAILED), or it was ended (STOPPED)."""
        if self.closed or self.alive:
            return None
        code = self.popen.wait()
        if self.ready.is_set():
            return Trouble(STOPPED, exit_code=code) if code != 0 else None
        if self.too_slow:
            return Trouble(START_SLOW, seconds=self.start_timeout)
        return Trouble(START_FAILED, exit_code=code)

    def wait_ready(self) -> bool:
        """Wait until it is ready (True) or has exited (False; the timer ends a hung start)."""
        while not self.ready.wait(0.1):
            if not self.alive:
                return self.ready.is_set()  # (the last line may have said ready)
        return True

    def close(self) -> None:
        """Ask the worker to finish (it exits when its stdin closes)."""
        self.closed = True
        self._watchdog.cancel()
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
    """One backend's worker, (re)started when needed.

    A worker that stopped idle starts again on the next request. One that was ended (killed, out
    of memory) while it ran answers the next request with that `Trouble`, once, and starts
    afresh meanwhile. One that never got ready stays `failed`, and requests answer its
    `Trouble` at once, until `retry()`: restarting it on every request could make every click
    wait for a start that hangs."""

    def __init__(self, backend: str, idle_s: float = IDLE_S, warm: bool = False,
                 start_timeout: float = START_TIMEOUT_S,
                 answer_timeout: float = ANSWER_TIMEOUT_S):
        self.backend, self.idle_s, self.warm = backend, idle_s, warm
        self.start_timeout, self.answer_timeout = start_timeout, answer_timeout
        self._lock = threading.Lock()  # one request at a time
        self._process: _Process | None = None
        self._ids = 0

    def start(self) -> None:
        """Start the process if it never ran or stopped idle (returns at once; it imports
        meanwhile); not after a trouble, which the next request reports (see `ask`, `retry`).
        While the worker is busy (answering, or being waited for) it is running: nothing to do."""
        if self._lock.acquire(blocking=False):
            try:
                if self.state == "stopped" and self.trouble is None:
                    self._start()
            finally:
                self._lock.release()

    def retry(self) -> None:
        """Start a fresh process after a failed start (returns at once)."""
        with self._lock:
            self._start()

    def _start(self) -> _Process:
        if self._process is None or not self._process.alive:
            self._process = _Process(self.backend, self.idle_s, self.warm, self.start_timeout)
        return self._process

    @property
    def state(self) -> str:
        """'stopped', 'starting', 'ready' or 'failed' (its last start)."""
        process = self._process
        if process is None:
            return "stopped"
        if process.alive:
            return "ready" if process.ready.is_set() else "starting"
        return "stopped" if process.ready.is_set() or process.closed else "failed"

    @property
    def trouble(self) -> Trouble | None:
        """Why it is not running where that is a trouble: it did not start (`failed`), or it
        was ended and no request has said so yet."""
        process = self._process
        return process.trouble if process is not None else None

    @property
    def info(self) -> dict:
        """What the worker said when it was ready: pid, versions, start_seconds."""
        return self._process.info if self._process else {}

    @property
    def pid(self) -> int | None:
        process = self._process
        return process.popen.pid if process and process.alive else None

    def wait_ready(self) -> bool:
        """Start it if need be (after a failed start too) and wait until it is ready; False if
        it did not start."""
        with self._lock:
            return self._start().wait_ready()

    def ask(self, case: str, args: dict | None = None, repeats: int = 1,
            timeout: float | None = None) -> Answer:
        """Run `case(**args)` in the worker (starting it if need be) and wait for the answer,
        at most `timeout` seconds (default: its `answer_timeout`)."""
        timeout = self.answer_timeout if timeout is None else timeout
        with self._lock:
            if (trouble := self.trouble) is not None:
                if trouble.kind == STOPPED:  # said once: a fresh one starts meanwhile
                    self._start()
                return Answer(self.backend, False, trouble=trouble)
            process = self._start()
            if not process.wait_ready():
                return Answer(self.backend, False, trouble=process.trouble)
            self._ids += 1
            started = time.perf_counter()
            try:
                process.popen.stdin.write(protocol.encode(
                    {"id": self._ids, "case": case, "args": args or {}, "repeats": repeats}))
                process.popen.stdin.flush()
            except OSError:  # it exited meanwhile
                return self._ended(process)
            while True:
                try:
                    message = process.answers.get(timeout=max(0.0, started + timeout
                                                                - time.perf_counter()))
                except queue.Empty:
                    process.stop()  # stuck: the next request starts a fresh one
                    return Answer(self.backend, False, trouble=Trouble(NO_ANSWER,
                                                                       seconds=timeout))
                if message is None:  # it exited while answering
                    return self._ended(process)
                if message.get("id") == self._ids:  # (an answer to an abandoned request: skip)
                    break
        return Answer(self.backend, bool(message.get("ok")), message.get("outputs") or {},
                      message.get("seconds"), message.get("first_seconds"),
                      time.perf_counter() - started, message.get("error"),
                      bool(message.get("unsupported")))

    def _ended(self, process: _Process) -> Answer:
        """The answer of a worker that exited while asked: its exit code, said once, and a
        fresh worker starting meanwhile (the caller holds the lock)."""
        trouble = Trouble(STOPPED, exit_code=process.popen.wait())
        self._start()
        return Answer(self.backend, False, trouble=trouble)

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
        """backend -> 'ready', 'starting', 'stopped', 'failed' or 'missing'."""
        return {**{b: w.state for b, w in self.workers.items()},
                **dict.fromkeys(self.missing, "missing")}

    def wait_ready(self) -> bool:
        with ThreadPoolExecutor(max(1, len(self.workers))) as threads:
            return all(threads.map(Worker.wait_ready, self.workers.values()))

    def run(self, case: str, args: dict | None = None, repeats: int = 1,
            timeout: float | None = None) -> dict[str, Answer]:
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


_SHARED: Pool | None = None
_SHARED_LOCK = threading.Lock()


def shared_pool() -> Pool:
    """The Backends page's workers: one pool per server process, shared by every student. Each
    worker runs the page's first cases as it starts, so that they answer at once."""
    global _SHARED
    with _SHARED_LOCK:
        if _SHARED is None:
            _SHARED = Pool(warm=True)
        return _SHARED


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
