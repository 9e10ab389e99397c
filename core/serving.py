"""Serving a class from one process: Keras ready before the first model page, no thread tripping
over CPython 3.11's AST bug, and reruns that do not pay for a full garbage collection.

`start()` runs at the top of every script run of the app (it costs nothing after the first).
On the process's first script, Home included, it makes `ast.parse` one thread at a time (see
`serialize_ast_parsing`) and starts in the background:
- the one import of Keras and TensorFlow (`core.keras_import`), so that a student who reads Home
  first never waits for it;
- then, once Keras is in, what makes every later click cheaper:
  - `keras.backend.clear_session()` does nothing (see `keep_keras_session`). Streamlit calls
    it after every script run once Keras is imported, and with `runner.postScriptGC` it runs
    `gc.collect(2)` as well: with TensorFlow loaded the heap holds ~350,000 objects, so each
    collection costs 0.2-0.4 s of every click and holds the GIL for every other student.
    `runner.postScriptGC = false` in `.streamlit/config.toml` removes Streamlit's own collection;
  - one collection, then `gc.freeze()` of what is loaded (TensorFlow, Keras), so that no later
    collection walks those objects again;
  - one full collection every COLLECT_EVERY_S seconds: a safety net so that cyclic garbage (a
    Keras model built for one student) never waits long for Python's generational collector,
    which keeps running too;
  - every BEAT_S seconds, what pages asked for (`on_beat`: dropping models nobody uses), then
    glibc's `malloc_trim`, which hands the free pages inside its heaps back to the system:
    glibc otherwise keeps what a dream, a training run or a burst of students freed (200 MB
    after three dreams), and a server that only grows is stopped by a small cloud container.
`wait()` blocks until all of that is done; `ready()` says whether it is.
"""

from __future__ import annotations

import ast
import contextlib
import ctypes
import functools
import gc
import itertools
import logging
import threading
import time
from collections.abc import Callable

from core import keras_import

COLLECT_EVERY_S = 20
BEAT_S = 5  # a trim with nothing to give back costs 0.4 ms, one after a dream 20 ms
_lock = threading.Lock()
_started = False
_ready = threading.Event()
_on_beat: list[Callable[[], object]] = []


def start() -> None:
    """Prepare this process for serving, in the background (once; later calls return at once)."""
    global _started
    if _started:
        return
    with _lock:
        if not _started:
            serialize_ast_parsing()
            large_blocks_straight_back()
            keras_import.start()
            threading.Thread(target=_prepare, name="serving-prepare", daemon=True).start()
            _started = True


def wait() -> None:
    start()
    _ready.wait()


def ready() -> bool:
    return _ready.is_set()


def _prepare() -> None:
    keras_import.wait()
    import keras

    keep_keras_session(keras)
    gc.collect()
    gc.freeze()
    _ready.set()
    trim = _malloc_trim()
    for beat in itertools.count(1):
        time.sleep(BEAT_S)
        for job in list(_on_beat):
            try:
                job()
            except Exception:  # one failing job must not stop the beat for the others
                logging.getLogger(__name__).exception("serving beat: %s failed", job)
        if beat % (COLLECT_EVERY_S // BEAT_S) == 0:
            gc.collect()
        trim()


def on_beat(job: Callable[[], object]) -> None:
    """Call `job` every BEAT_S seconds from the serving thread (e.g. to drop idle models)."""
    if job not in _on_beat:
        _on_beat.append(job)


M_MMAP_THRESHOLD = -3  # glibc's mallopt parameters (malloc.h)
LARGE_BLOCK = 256 * 1024


def large_blocks_straight_back() -> None:
    """Give every block of LARGE_BLOCK bytes or more its own mapping, returned to the system as
    soon as it is freed (glibc's `mallopt(M_MMAP_THRESHOLD)`; elsewhere, nothing).

    By default glibc raises that threshold each time such a block is freed, up to 32 MB, so the
    images and tensors of a dream or a class end up inside its heaps, where what they leave
    free is scattered between live blocks and stays resident: 650 MB free but held at the end
    of a 30-student bench, of 1 GB in the heaps. A fixed threshold keeps them apart."""
    with contextlib.suppress(OSError, AttributeError):  # not glibc (macOS, Alpine's musl)
        ctypes.CDLL(None).mallopt(M_MMAP_THRESHOLD, LARGE_BLOCK)


def _malloc_trim() -> Callable[[], object]:
    """glibc's `malloc_trim(0)` (ctypes releases the GIL meanwhile); elsewhere, nothing."""
    try:
        return functools.partial(ctypes.CDLL(None).malloc_trim, 0)
    except (OSError, AttributeError):  # not glibc (macOS, Alpine's musl)
        return lambda: None


def serialize_ast_parsing() -> None:
    """Let one thread at a time turn source into Python AST objects (`ast.parse`).

    CPython 3.11 keeps the depth counters of that conversion per interpreter, not per thread, so
    two threads converting at once can fail with "SystemError: AST constructor recursion depth
    mismatch" (python/cpython#106905; fixed in 3.12). Many students' script runs are many
    threads, and some convert: `inspect.getsource` of a class (the code listings on the pages),
    the carets of 3.11's tracebacks, TensorFlow's autograph. Page scripts themselves never do:
    `.streamlit/config.toml` turns Streamlit's magic off, so they compile from their text.
    """
    if getattr(ast.parse, "_serialized", False):
        return
    parse, lock = ast.parse, threading.RLock()  # re-entrant: a finalizer may parse meanwhile

    @functools.wraps(parse)
    def serialized_parse(*args, **kwargs):
        with lock:
            return parse(*args, **kwargs)

    serialized_parse._serialized = True
    ast.parse = serialized_parse


def keep_keras_session(keras) -> None:
    """Make `keras.backend.clear_session()` do nothing in this process.

    Besides its full garbage collection, it resets Keras' naming state for every thread at once
    (it replaces the module's thread-local store) and empties TensorFlow's kernel cache. Called
    after one student's script run, it broke another student's model being built at that moment:
    "The name "dense" is used 2 times in the model" (the live GAN, 30 students). A server loses
    nothing without it: each script run is a fresh thread, whose naming state goes with it, and
    shipped models live in shared caches."""
    def clear_session(free_memory: bool = True) -> None:
        """Does nothing in a server process (core/serving.py, `keep_keras_session`)."""

    keras.backend.clear_session = clear_session
