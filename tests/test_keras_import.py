"""TensorFlow and Keras are imported once per process, by one thread, while every other thread
that imports them waits; a failed import ends the process with a plain message."""

import os
import subprocess
import sys

from tests.helpers import ROOT

RACE = """
import builtins, threading
import core
from core import keras_import

assert builtins.__import__ is keras_import.guard
statements = [  # what pages, cached functions, job threads and Streamlit import, all at once
    "import keras", "import tensorflow as tf; tf.config.threading",
    "from core.dream import engine", "from core.air_quality import model",
    "from keras import layers", "from tensorflow.python.eager import context"]
barrier = threading.Barrier(len(statements))
failed = []

def run(statement):
    barrier.wait()
    try:
        exec(statement, {})
    except BaseException as err:
        failed.append(f"{statement}: {err!r}")

threads = [threading.Thread(target=run, args=(s,)) for s in statements]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
import tensorflow as tf
print(failed, builtins.__import__ is keras_import.guard,
      tf.config.threading.get_intra_op_parallelism_threads())
"""


def _python(code: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                          text=True, timeout=300, env=env)


def test_threads_that_import_keras_and_tensorflow_at_once_all_get_them_whole():
    result = _python(RACE)
    assert result.returncode == 0, result.stderr[-2000:]
    # nothing failed, the guard is gone once Keras is in, and TensorFlow got its thread limit
    # (set before its first operation, which only the one importing thread can promise)
    assert result.stdout.strip().splitlines()[-1] == "[] False 1"


SETTINGS = ("keras_import.wait(); import sys, tensorflow as tf; "
            "from tensorflow.python.util._pywrap_util_port import IsMklEnabled; "
            "print(tf.config.threading.get_intra_op_parallelism_threads(), IsMklEnabled(), "
            "'jax' in sys.modules)")
# What this test process chose for itself must not leak into the processes it starts
CLEAN = {k: v for k, v in os.environ.items() if k != "TF_ENABLE_ONEDNN_OPTS"}


def test_a_server_gets_one_thread_per_operation_and_no_onednn_caches():
    result = _python("from core import keras_import; " + SETTINGS, CLEAN)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.split()[-3:] == ["1", "False", "False"]  # and JAX was not dragged in


def test_the_command_line_gets_tensorflow_as_it_comes():
    result = _python("from core import keras_import; keras_import.use_whole_machine(); "
                     + SETTINGS, CLEAN)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.split()[-3:] == ["0", "True", "False"]  # 0: TensorFlow's own choice


def broken_tensorflow(folder) -> dict:
    """An environment whose `import tensorflow` fails, as a broken installation would."""
    package = folder / "tensorflow"
    package.mkdir()
    (package / "__init__.py").write_text("raise ImportError('broken on purpose')\n")
    return {**os.environ, "PYTHONPATH": str(folder)}


def test_a_failed_import_ends_the_process_with_a_plain_message(tmp_path):
    result = _python("import core, keras; print('not reached')", env=broken_tensorflow(tmp_path))
    assert result.returncode == 1
    assert "TensorFlow/Keras could not be imported" in result.stderr
    assert "broken on purpose" in result.stderr
    assert "not reached" not in result.stdout
