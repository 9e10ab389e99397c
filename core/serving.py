"""Serving a class from one process: reruns that do not pay for a full garbage collection.

After every script run Streamlit calls `keras.backend.clear_session()` once Keras is imported
(which runs `gc.collect()`), and with `runner.postScriptGC` it runs `gc.collect(2)` as well.
With TensorFlow loaded the heap holds ~350,000 objects, so each of those collections costs
0.2-0.4 s of every click, on every page, and holds the GIL for every other student meanwhile.

What `prepare()` does instead, once per server process, before the first page that needs Keras
(Home does not, so the app still opens at once):
- imports Keras and makes `clear_session()` skip its `gc.collect()` (its other work, resetting
  Keras' per-thread name counters, costs nothing and is kept): pages never rely on it, since
  Streamlit runs each script run in a fresh thread and shipped models live in shared caches;
- limits TensorFlow to one thread per operation, so heavy work (a dream, a training run)
  takes one core and the other core stays free for everyone's clicks;
- collects once and then `gc.freeze()`s what is loaded (TensorFlow, Keras), so no later
  collection walks those objects again;
- runs one full collection every COLLECT_EVERY_S seconds in the background: a safety net so
  that cyclic garbage (a Keras model built for one student) never waits long for Python's own
  generational collector, which keeps running too.
`runner.postScriptGC = false` in `.streamlit/config.toml` removes Streamlit's own collection.
It runs under a lock in the caller's thread: TensorFlow's import breaks if two threads race it.
"""

from __future__ import annotations

import gc
import threading
import time

COLLECT_EVERY_S = 20
_lock = threading.Lock()
_prepared = False


def is_prepared() -> bool:
    return _prepared


def prepare() -> None:
    """Prepare this process for serving (the first call takes a few seconds; later ones none)."""
    global _prepared
    if _prepared:
        return
    with _lock:
        if _prepared:
            return
        import tensorflow as tf

        try:  # only possible before TensorFlow starts its thread pools
            tf.config.threading.set_intra_op_parallelism_threads(1)
            tf.config.threading.set_inter_op_parallelism_threads(1)
        except RuntimeError:
            pass
        import keras

        cheap_clear_session(keras)
        gc.collect()
        gc.freeze()
        threading.Thread(target=_collect_now_and_then, name="gc-now-and-then",
                         daemon=True).start()
        _prepared = True


def _collect_now_and_then() -> None:
    """One full collection every COLLECT_EVERY_S instead of two per click."""
    while True:
        time.sleep(COLLECT_EVERY_S)
        gc.collect()


def cheap_clear_session(keras) -> None:
    """Make `keras.backend.clear_session()` skip its full garbage collection by default."""
    original = keras.backend.clear_session
    if getattr(original, "_without_gc", False):
        return

    def clear_session(free_memory: bool = False) -> None:
        original(free_memory=free_memory)

    clear_session._without_gc = True
    clear_session.__doc__ = original.__doc__
    keras.backend.clear_session = clear_session
