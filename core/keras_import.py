"""Keras and TensorFlow: imported once per process, by one thread, while every other one waits.

TensorFlow's import cannot be raced. Two threads that import `keras` and `tensorflow` at the
same moment (a page importing a model module while another thread imports TensorFlow) take
Python's per-module import locks in opposite orders; Python breaks the deadlock by handing one
of them a half-imported module, and a half-imported TensorFlow cannot be repaired: every later
use fails (`Registering two gradient with name 'ReduceDataset'`, `module 'tensorflow' has no
attribute 'config'`). So the import happens in one place, `_import_all`, in one thread, and
every `import keras` or `import tensorflow` statement in any other thread waits for it first:
`core/__init__.py` installs `guard` as `builtins.__import__` until the import is done, so the
rule holds for every path (the app, a page file run alone, cached functions, job threads, the
command line, tests) without any of them having to remember it.

Why `builtins.__import__` and not an import hook on `sys.meta_path`: Python asks a finder only
after it has taken the module's import lock, which the importing thread needs too, so waiting in
a finder deadlocks; the guard waits before any lock is taken. It costs one Python call per
import statement while Keras is not yet in, and is removed afterwards.

`start()` begins the import in the background (the app calls it in its first script, Home
included, so that nobody waits later); `wait()` blocks until it is done. The import is also the
one moment that can set what TensorFlow only reads at start-up, before any operation runs. By
default that suits a class on a small shared server: one thread per operation (one student's
heavy work takes one core, the other stays free for everyone's clicks), and no oneDNN: its
caches of primitives and buffers grow with every image size a dream meets and never shrink
(+250 MB held after 18 dreams of 6 sizes, +90 MB without it), while the memory of plain
TensorFlow kernels goes back to the system (`core/serving.py` trims it). The price: a 512-px
dream costs 1.8 times the CPU; the shipped models answer as fast. `python -m core` calls
`use_whole_machine()` first.

If the import fails, the process cannot do the lab's work: it says so on stderr and exits
with status 1, so that a supervisor (or Streamlit Community Cloud) restarts it instead of
keeping a server whose every model page fails.
"""

from __future__ import annotations

import builtins
import contextlib
import os
import sys
import threading

GUARDED = ("keras", "tensorflow")  # top-level packages whose import must not be raced

_original_import = builtins.__import__
_start_lock = threading.Lock()
_done = threading.Event()
_importer: threading.Thread | None = None
_shared_server = True


def install() -> None:
    """Make every `import keras` / `import tensorflow` wait for `_import_all` (idempotent)."""
    if not _done.is_set() and builtins.__import__ is _original_import:
        builtins.__import__ = guard


def guard(name, globals=None, locals=None, fromlist=(), level=0):
    """`builtins.__import__` until Keras is in: waits before a guarded import, then imports."""
    if (level == 0 and name.partition(".")[0] in GUARDED and not _done.is_set()
            and threading.current_thread() is not _importer):
        wait()
    return _original_import(name, globals, locals, fromlist, level)


def use_whole_machine() -> None:
    """A command alone on the machine (training, a benchmark): TensorFlow's own defaults, every
    core and oneDNN. Call it before `start`."""
    global _shared_server
    _shared_server = False


def start() -> None:
    """Begin importing Keras and TensorFlow in a background thread, once per process."""
    global _importer
    with _start_lock:
        if _importer is None:
            _importer = threading.Thread(target=_import_all, name="keras-import", daemon=True)
            _importer.start()


def wait() -> None:
    """Block until Keras and TensorFlow are imported (starting the import if need be)."""
    start()
    _done.wait()


def ready() -> bool:
    return _done.is_set()


def _import_all() -> None:
    try:
        if os.environ.get("KERAS_BACKEND", "tensorflow") == "tensorflow":
            if _shared_server:
                os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")
            with _without("jax"):
                import tensorflow as tf
            if _shared_server:
                _one_thread_per_operation(tf)
        import keras  # noqa: F401 - imported here, once, for the whole process
    except Exception as err:
        import traceback

        traceback.print_exc()
        print(f"Beyond Sequential: TensorFlow/Keras could not be imported ({err!r}); this "
              "process cannot serve the lab and exits with status 1.", file=sys.stderr,
              flush=True)
        os._exit(1)
    _done.set()
    if builtins.__import__ is guard:
        builtins.__import__ = _original_import


@contextlib.contextmanager
def _without(package: str):
    """Hide an installed `package` from the imports inside the block. TensorFlow imports JAX
    when it is installed, for TFLite's converter of JAX functions alone, which the lab never
    uses: 140 MB of memory in every server process, and a second longer start."""
    hidden = package not in sys.modules
    if hidden:
        sys.modules[package] = None  # `import jax` now raises ImportError
    try:
        yield
    finally:
        if hidden and sys.modules.get(package, 0) is None:
            del sys.modules[package]


def _one_thread_per_operation(tf) -> None:
    try:
        tf.config.threading.set_intra_op_parallelism_threads(1)
        tf.config.threading.set_inter_op_parallelism_threads(1)
    except RuntimeError:  # TensorFlow already ran an operation (it was imported before core)
        pass
