"""One backend's worker process: `python -m core.backends.worker BACKEND IDLE_SECONDS [--warm]`.

Keras picks its backend once, when it is imported (`KERAS_BACKEND`), so a process can run only
one; the app starts one worker per backend (core.backends.pool). A worker reads one request
per line on stdin, `{"id", "case", "args"}`, runs the case (core.backends.cases) and answers
one line on stdout (core.backends.protocol). With `--warm` it first runs the page's default
cases once (loading, tracing and compiling them), so that the first student's clicks are as
fast as the next ones. It exits when stdin closes (the app stopped, or died) and after
IDLE_SECONDS without a request.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import os
import statistics
import sys
import threading
import time
import traceback
import warnings

from core.backends import protocol


class _WithoutTensorFlow(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Keeps TensorFlow out of the other backends' workers. Keras imports it, when it can, for
    a few optional checks; refused, Keras carries on as on a machine without TensorFlow, which
    shows that the code does not need it (and saves its memory). The module is "found" with no
    origin and fails to load, so that libraries that only look for it (PyTorch's compiler
    does) see it and skip it."""

    def find_spec(self, name, path=None, target=None):
        if name.partition(".")[0] == "tensorflow":
            return importlib.machinery.ModuleSpec(name, self)
        return None

    def create_module(self, spec):
        raise ModuleNotFoundError(f"{spec.name} is kept out of this worker", name=spec.name)

    def exec_module(self, module):
        raise ModuleNotFoundError(f"{module.__name__} is kept out of this worker")


def main(argv: list[str]) -> int:
    backend, idle_s = argv[0], float(argv[1])
    os.environ["KERAS_BACKEND"] = backend  # before Keras is imported: it cannot change later
    if backend != "tensorflow":
        sys.meta_path.insert(0, _WithoutTensorFlow())
    # The NumPy backend infers shapes by running layers on uninitialized arrays: harmless
    # overflow warnings.
    warnings.filterwarnings("ignore", category=RuntimeWarning)
    replies = os.fdopen(os.dup(sys.stdout.fileno()), "w", encoding="utf-8")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())  # stray prints must not break the protocol
    sys.stdout = sys.stderr

    started = time.perf_counter()
    import keras

    from core.backends import cases

    imported = time.perf_counter()
    if "--warm" in argv:
        for case, args in cases.WARM_UP:
            _answer(cases, protocol.encode({"case": case, "args": args}))
    _reply(replies, {"ready": True, "backend": keras.backend.backend(), "pid": os.getpid(),
                     "keras": keras.__version__, "version": _library_version(backend),
                     "start_seconds": imported - started,
                     "warm_seconds": time.perf_counter() - imported})
    last_request = [time.monotonic()]
    threading.Thread(target=_exit_when_idle, args=(last_request, idle_s), daemon=True).start()
    for line in sys.stdin:
        last_request[0] = float("inf")  # busy, not idle
        _reply(replies, _answer(cases, line))
        last_request[0] = time.monotonic()
    return 0


def _answer(cases, line: str) -> dict:
    """Run one request: the outputs of the last run and the median seconds of `repeats`."""
    request_id = None
    try:
        request = protocol.decode(line)
        request_id = request.get("id")
        case = cases.CASES[request["case"]]
        args, repeats = request.get("args", {}), max(1, int(request.get("repeats", 1)))
        seconds = []
        for _ in range(repeats):
            start = time.perf_counter()
            outputs = case(**args)
            seconds.append(time.perf_counter() - start)
        return {"id": request_id, "ok": True, "outputs": outputs,
                "seconds": statistics.median(seconds), "first_seconds": seconds[0]}
    except cases.Unsupported as err:
        return {"id": request_id, "ok": False, "unsupported": True, "error": str(err)}
    except Exception as err:  # the app shows what went wrong; the worker carries on
        traceback.print_exc()
        return {"id": request_id, "ok": False, "error": f"{type(err).__name__}: {err}"}


def _reply(replies, message: dict) -> None:
    replies.write(protocol.encode(message))
    replies.flush()


def _exit_when_idle(last_request: list[float], idle_s: float) -> None:
    while True:
        time.sleep(min(idle_s, 5.0))
        if time.monotonic() - last_request[0] > idle_s:
            os._exit(0)


def _library_version(backend: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    for name in {"tensorflow": ("tensorflow-cpu", "tensorflow"), "jax": ("jax",),
                 "numpy": ("numpy",), "torch": ("torch",)}.get(backend, ()):
        try:
            return version(name)
        except PackageNotFoundError:
            continue
    return "?"


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
