"""Serving preparation: Keras starts in the background, `ast.parse` is safe from many threads,
Keras' clear_session() does nothing, a broken start-up exits."""

import asyncio
import contextlib
import subprocess
import sys

import pytest

from core.benchmarks.server import start_server, stop_server
from core.benchmarks.student import open_link
from tests.helpers import ROOT, apart
from tests.test_keras_import import broken_tensorflow


def _python(code: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                          text=True, timeout=300)


# One thread builds models while another clears Keras' session, as Streamlit does after every
# other student's script run: unguarded, the builder meets "The name "dense" is used 2 times".
NAMES_RACE = """
import threading
from core import serving
serving.wait()
import keras
errors, done = [], threading.Event()

def build():
    try:
        for _ in range(50):
            x = inp = keras.Input((2,))
            for _ in range(3):
                x = keras.layers.Dense(4)(x)
            keras.Model(inp, x)
    except Exception as err:
        errors.append(repr(err))
    done.set()

def clear():
    while not done.is_set():
        keras.backend.clear_session()

threads = [threading.Thread(target=build), threading.Thread(target=clear)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
print(errors)
"""


def test_one_students_clear_session_never_breaks_anothers_model():
    result = _python(NAMES_RACE)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.split("\n")[-2] == "[]"


def test_start_returns_at_once_and_prepares_in_the_background():
    result = _python(
        "import gc, sys, time\nfrom core import serving\n"
        "began = time.perf_counter(); serving.start(); took = time.perf_counter() - began\n"
        "print(took < 0.5, serving.ready())\nserving.wait()\nimport keras\n"
        "first = keras.layers.Dense(1).name; keras.backend.clear_session()\n"
        "print(serving.ready(), keras.layers.Dense(1).name != first, gc.get_freeze_count() > 0)")
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
            apart(asyncio.run, open_link(url))  # its first script starts the import, which fails
        assert server.wait(timeout=120) == 1
    finally:
        stop_server(server)
    assert "TensorFlow/Keras could not be imported" in log.read_text()


# Large blocks freed between small live ones, as a class leaves its images and tensors behind.
LARGE_BLOCKS = """
import sys
from core import serving
if sys.argv[1] == "server":
    serving.large_blocks_straight_back()

def rss_mb():
    return int(open("/proc/self/statm").read().split()[1]) * 4096 / 2**20

first = bytearray(1_000_000)
del first  # glibc's own threshold now rises to 1 MB
before = rss_mb()
large, small = [], []
for _ in range(200):
    large.append(bytearray(500_000))
    small.append(bytearray(200))
del large
print(round(rss_mb() - before))
"""


def test_a_server_hands_freed_large_blocks_back_at_once():
    if not sys.platform.startswith("linux"):
        pytest.skip("glibc's mallopt and Linux's /proc")
    held = {}
    for mode in ("default", "server"):
        result = subprocess.run([sys.executable, "-c", LARGE_BLOCKS, mode], cwd=ROOT,
                                capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, result.stderr[-2000:]
        held[mode] = int(result.stdout.split()[-1])
    assert held["default"] > 50  # 100 MB freed, most of it still resident
    assert held["server"] < 10
