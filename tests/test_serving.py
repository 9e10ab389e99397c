"""Serving preparation: Keras starts in the background, `ast.parse` is safe from many threads,
Keras' clear_session() no longer collects the whole heap, a broken start-up exits."""

import asyncio
import contextlib
import subprocess
import sys
from types import SimpleNamespace

from core.benchmarks.server import start_server, stop_server
from core.benchmarks.student import open_link
from core.serving import cheap_clear_session
from tests.helpers import ROOT
from tests.test_keras_import import broken_tensorflow


def _python(code: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                          text=True, timeout=300)


def test_clear_session_keeps_its_reset_but_skips_the_full_collection():
    calls = []
    keras = SimpleNamespace(backend=SimpleNamespace(
        clear_session=lambda free_memory=True: calls.append(free_memory)))
    cheap_clear_session(keras)
    keras.backend.clear_session()  # what Streamlit calls after every script run
    keras.backend.clear_session(free_memory=True)  # an explicit request still collects
    cheap_clear_session(keras)  # applying it twice wraps only once
    keras.backend.clear_session()
    assert calls == [False, True, False]


def test_start_returns_at_once_and_prepares_in_the_background():
    result = _python(
        "import gc, sys, time\nfrom core import serving\n"
        "began = time.perf_counter(); serving.start(); took = time.perf_counter() - began\n"
        "print(took < 0.5, serving.ready())\nserving.wait()\nimport keras\n"
        "print(serving.ready(), keras.backend.clear_session._without_gc,"
        "      gc.get_freeze_count() > 0)")
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.split() == ["True", "False", "True", "True", "True"]


# Four threads parse at once while the collector hands the interpreter to another thread: on
# CPython 3.11 an unguarded `ast.parse` fails here ("AST constructor recursion depth mismatch").
AST_RACE = """
import ast, gc, threading, time
from core import serving
serving.serialize_ast_parsing()
source = "\\n".join(f"def f{i}(a, b):\\n    return [(a + b) * {i} for c in range(3) if c]"
                   for i in range(300))
errors = []
gc.callbacks.append(lambda phase, info: time.sleep(0))
gc.set_threshold(100)

def parse_often():
    for _ in range(30):
        try:
            ast.parse(source)
        except SystemError as err:
            errors.append(str(err))

threads = [threading.Thread(target=parse_often) for _ in range(4)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
print(errors)
"""


def test_many_threads_parse_source_without_tripping_cpython_3_11():
    result = _python(AST_RACE)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip() == "[]"


def test_a_server_whose_keras_cannot_be_imported_exits_instead_of_serving(tmp_path):
    log = tmp_path / "streamlit.log"
    server, url = start_server(broken_tensorflow(tmp_path), log=log)
    try:
        with contextlib.suppress(Exception):  # the server may go away while Home is drawn
            asyncio.run(open_link(url))  # its first script starts the import, which fails
        assert server.wait(timeout=120) == 1
    finally:
        stop_server(server)
    assert "TensorFlow/Keras could not be imported" in log.read_text()
