"""The same Keras code on every backend: the protocol, the worker processes, and the numbers.

Each backend runs in a worker process of its own (skipped, with the reason, where its package
is not installed); one pool of workers serves the whole module.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest

from core import i18n
from core.backends import book, cases, protocol, steps, view
from core.backends.pool import (
    BACKENDS,
    INSTALL,
    NO_ANSWER,
    START_FAILED,
    START_SLOW,
    START_TIMEOUT_S,
    STOPPED,
    Answer,
    Pool,
    Trouble,
    Worker,
    configured,
    missing,
)
from tests.helpers import NEEDS_DATA, ROOT, shared_data

AGREE = 1e-4  # float32 rounding, relative to outputs larger than 1 (view.scaled_diff)


@pytest.fixture(scope="module")
def pool():
    workers = Pool(BACKENDS, idle_s=300)
    workers.start()
    assert workers.wait_ready(), workers.states()
    yield workers
    workers.stop()


def _installed(backend: str) -> None:
    if why := missing(backend):
        pytest.skip(f"{backend}: {why} ({INSTALL[backend]})")


# --- the protocol: JSON lines, arrays as bytes with an allowed dtype ----------------------------

def test_arrays_cross_the_pipe_unchanged():
    message = {"id": 3, "outputs": {dtype: (np.arange(6) % 4).astype(dtype).reshape(2, 3)
                                    for dtype in protocol.DTYPES},
               "nested": [np.float32(1.5), {"nan": np.array([np.nan], "float32")}]}
    line = protocol.encode(message)
    assert line.endswith("\n") and "\n" not in line[:-1]
    back = protocol.decode(line)
    for dtype, array in message["outputs"].items():
        assert back["outputs"][dtype].dtype == array.dtype
        np.testing.assert_array_equal(back["outputs"][dtype], array)
    assert back["nested"][0] == 1.5 and np.isnan(back["nested"][1]["nan"][0])
    back["outputs"]["float32"][0, 0] = 9  # a decoded array is the reader's own, writable


def test_the_protocol_refuses_what_it_does_not_know():
    packed = json.loads(protocol.encode({"a": np.zeros(4, "float32")}))
    for bad in ({**packed["a"], "__array__": "object"}, {**packed["a"], "shape": [5]},
                {**packed["a"], "shape": [-4]}, {**packed["a"], "data": "not base64!"}):
        with pytest.raises(ValueError):
            protocol.decode(json.dumps({"a": bad}))
    with pytest.raises(ValueError):
        protocol.decode("[1, 2]")


def test_lab_backends_chooses_which_backends_to_offer(monkeypatch):
    monkeypatch.setenv("LAB_BACKENDS", "numpy, TensorFlow,nonsense")
    assert configured() == ("tensorflow", "numpy")
    monkeypatch.setenv("LAB_BACKENDS", "")
    assert configured() == BACKENDS


def test_a_missing_backend_is_named_with_the_command_that_adds_it():
    absent = [b for b in BACKENDS if missing(b)]
    if not absent:
        pytest.skip("every backend is installed here")
    pool = Pool(tuple(absent))
    assert pool.workers == {} and set(pool.missing) == set(absent)
    assert all("is not installed" in why for why in pool.missing.values())
    frame = view.states_frame(pool.states(), {}, pool.missing, INSTALL)
    assert frame["to add it"].tolist() == [INSTALL[b] for b in absent]


# --- each backend in its own process: the same code, the same numbers --------------------------

@pytest.mark.parametrize("backend", BACKENDS)
def test_each_backend_runs_the_books_lambda_and_custom_layer(pool, backend):
    _installed(backend)
    from core.customizing import lrn

    worker = pool.workers[backend]
    assert worker.info["backend"] == backend
    answer = worker.ask("distance", {"seed": 5})
    assert answer.ok, answer.error
    x, y = cases.distance_inputs(5)
    np.testing.assert_allclose(answer.outputs["distance"][:, 0], np.linalg.norm(x - y, axis=1),
                               rtol=1e-6)
    answer = worker.ask("lrn", {"seed": 5, "side": 32})
    assert answer.ok, answer.error
    x = cases.lrn_inputs(5, 32)
    for name, layer in (("book", lrn.LocalResponseNormalization()),
                        ("channel_sum", lrn.ChannelSumLRN()),
                        ("across_channel", lrn.AcrossChannelLRN())):
        here = np.asarray(layer(x))  # in this process: TensorFlow
        np.testing.assert_allclose(answer.outputs[name], here, atol=AGREE)


def test_non_tensorflow_workers_run_without_tensorflow(pool):
    others = {b: w.pid for b, w in pool.workers.items() if b != "tensorflow"}
    if not others or not Path("/proc/self/maps").exists():
        pytest.skip("needs a non-TensorFlow backend installed and Linux's /proc")
    for backend, pid in others.items():
        maps = Path(f"/proc/{pid}/maps").read_text()
        assert "tensorflow" not in maps, f"the {backend} worker loaded TensorFlow"
    tf_pid = pool.workers["tensorflow"].pid
    assert "tensorflow" in Path(f"/proc/{tf_pid}/maps").read_text()


@pytest.mark.parametrize("name", ["air_quality/all.keras",  # a custom layer (FillMissing)
                                  "sequence_autoencoder/days_code2.keras",  # Keras looks for TF
                                  "gan/cgan_generator.keras"])  # its topic's training is TF's
def test_shipped_models_predict_the_same_on_every_backend(pool, name):
    answers = pool.run("model", {"name": name, "seed": 1})
    assert all(a.ok for a in answers.values()), {b: a.error for b, a in answers.items()}
    assert view.agreement(answers)[1] <= AGREE
    net = cases.load_shipped(name)  # and the TensorFlow worker matches this very process
    batch = cases.fixed_batch(net, 1)
    here = net.predict_on_batch(batch if len(batch) > 1 else batch[0])
    here = here if isinstance(here, list) else [here]
    for i, expected in enumerate(here):
        np.testing.assert_allclose(answers["tensorflow"].outputs[f"output_{i}"], expected,
                                   atol=1e-6)


def test_the_books_backend_lines_agree_on_every_backend(pool):
    answers = pool.run("book_lines", {"seed": 2})
    assert all(a.ok for a in answers.values())
    portable = [i for i, line in enumerate(book.LINES) if line.portable]
    assert set(answers["tensorflow"].outputs) == {f"line_{i}" for i in portable}
    assert view.agreement(answers)[1] <= AGREE
    rows = view.book_table(answers).splitlines()[2:]
    assert len(rows) == len(book.LINES) and all(" K." in row or "`K." in row for row in rows)
    assert "| `4×1: " in rows[0] and rows[0].endswith(" |")


def test_the_gradient_step_is_each_backends_own_and_agrees(pool):
    answers = pool.run("dream_step", {"layer": "fire3_concat", "iterations": 2})
    with_autodiff = {b: a for b, a in answers.items() if b in steps.GRADIENTS}
    assert all(a.ok for a in with_autodiff.values()), {b: a.error for b, a in answers.items()}
    if "numpy" in answers:
        assert answers["numpy"].unsupported and answers["numpy"].error == steps.NO_AUTODIFF
    tf = answers["tensorflow"].outputs
    assert tf["losses"][1] > tf["losses"][0]  # ascent: the layer's activation grew
    assert np.abs(tf["image"] - cases.dream_image()[0]).max() > 0.005
    assert view.agreement(answers)[1] <= AGREE
    bad = pool.workers["tensorflow"].ask("dream_step", {"layer": "pool1"})
    assert not bad.ok and "pool1" in bad.error


def test_a_worker_stops_when_idle_and_starts_again_on_the_next_request():
    worker = Worker(_any_backend(), idle_s=1)
    try:
        assert worker.ask("distance").ok
        pid = worker.pid
        _until(lambda: worker.state == "stopped", timeout=30)
        assert worker.trouble is None  # stopping idle is no trouble
        again = worker.ask("distance")
        assert again.ok and worker.pid != pid
    finally:
        worker.stop()


def _any_backend() -> str:
    return next(b for b in ("numpy", "tensorflow") if not missing(b))


def _until(condition, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)


# --- what goes wrong with a worker comes back as data (pool.Trouble) ----------------------------

def test_a_worker_that_cannot_start_says_why_until_it_is_started_again():
    worker = Worker("nonsense")  # Keras refuses to import with an unknown backend
    try:
        answer = worker.ask("distance")
        assert not answer.ok and answer.error is None
        assert answer.trouble == Trouble(START_FAILED, exit_code=1)
        assert worker.state == "failed" and worker.trouble == answer.trouble
        worker.start()  # (what the page does on every run) does not start it again...
        again = worker.ask("distance")  # ...nor does a request: it answers at once
        assert again.trouble == answer.trouble and worker.pid is None
        worker.retry()  # the page's button
        assert worker.state in ("starting", "failed")
        assert not worker.wait_ready() and worker.trouble == Trouble(START_FAILED, exit_code=1)
    finally:
        worker.stop()


def test_a_start_that_hangs_is_stopped_after_its_timeout_and_can_be_retried():
    worker = Worker(_any_backend(), start_timeout=0.2)  # importing Keras takes longer
    try:
        answer = worker.ask("distance")
        assert answer.trouble == Trouble(START_SLOW, seconds=0.2)
        assert worker.state == "failed" and worker.ask("distance").trouble == answer.trouble
        worker.start_timeout = START_TIMEOUT_S  # a calmer server
        worker.retry()
        assert worker.ask("distance").ok and worker.state == "ready" and worker.trouble is None
    finally:
        worker.stop()


def test_a_worker_killed_while_answering_says_so_and_the_next_request_works():
    worker = Worker(_any_backend())
    try:
        assert worker.wait_ready()
        pid = worker.pid
        with ThreadPoolExecutor(1) as thread:
            asked = thread.submit(worker.ask, "distance", {"seed": 0}, 10**7)  # minutes of work
            time.sleep(1)
            os.kill(pid, signal.SIGKILL)
            answer = asked.result(timeout=60)
        assert not answer.ok and answer.trouble == Trouble(STOPPED, exit_code=-signal.SIGKILL)
        assert view.trouble_note(answer.trouble) == "stopped (exit code -9 (SIGKILL))"
        assert worker.trouble is None and worker.state in ("starting", "ready")  # a fresh one
        again = worker.ask("distance")
        assert again.ok and again.trouble is None and worker.pid != pid
    finally:
        worker.stop()


def test_a_worker_killed_between_requests_says_so_once():
    worker = Worker(_any_backend())
    try:
        assert worker.ask("distance").ok
        pid = worker.pid
        os.kill(pid, signal.SIGKILL)
        _until(lambda: worker.state == "stopped")
        assert worker.trouble == Trouble(STOPPED, exit_code=-signal.SIGKILL)
        worker.start()  # a page's run leaves it for the next request to report
        assert worker.state == "stopped"
        answer = worker.ask("distance")
        assert answer.trouble == Trouble(STOPPED, exit_code=-signal.SIGKILL)
        again = worker.ask("distance")
        assert again.ok and worker.pid not in (None, pid)
    finally:
        worker.stop()


def test_no_answer_in_time_stops_the_worker_and_the_next_request_starts_a_fresh_one():
    worker = Worker(_any_backend(), answer_timeout=0.5)
    try:
        assert worker.wait_ready()
        pid = worker.pid
        answer = worker.ask("distance", {"seed": 0}, repeats=10**7)
        assert answer.trouble == Trouble(NO_ANSWER, seconds=0.5)
        assert worker.state == "stopped" and worker.trouble is None  # stopped on purpose
        again = worker.ask("distance", timeout=START_TIMEOUT_S)
        assert again.ok and worker.pid != pid
    finally:
        worker.stop()


def test_troubles_are_worded_for_the_student_in_each_language():
    assert [view.exit_code(c) for c in (None, 0, 1, -9, -15, -99)] == [
        "?", "0", "1", "-9 (SIGKILL)", "-15 (SIGTERM)", "-99"]
    killed, slow = Trouble(STOPPED, exit_code=-9), Trouble(START_SLOW, seconds=180.0)
    assert view.trouble_note(killed) == "stopped (exit code -9 (SIGKILL))"
    assert view.trouble_note(slow) == "did not start within 180 s"
    said = view.trouble_message("jax", killed)
    assert said.startswith("The JAX worker stopped (exit code -9 (SIGKILL))")
    assert "A fresh one is starting" in said
    broken = Trouble(START_FAILED, exit_code=1)
    assert "exited with code 1" in view.trouble_message("numpy", broken)
    with i18n.using("ja"):
        for trouble in (killed, slow, broken, Trouble(NO_ANSWER, seconds=120.0)):
            note = view.trouble_note(trouble)
            message = view.trouble_message("tensorflow", trouble)
            assert note != _english_note(trouble) and re.search("[ぁ-んァ-ン]", note), note
            assert "TensorFlow" in message and re.search("[ぁ-んァ-ン]", message), message
        assert "-9 (SIGKILL)" in view.trouble_note(killed)
        assert "180" in view.trouble_message("jax", slow)


def _english_note(trouble: Trouble) -> str:
    with i18n.using("en"):
        return view.trouble_note(trouble)


def test_a_worker_trouble_shows_in_the_tables_and_once_per_click():
    answers = {"tensorflow": Answer("tensorflow", True, {"y": np.ones(2, "float32")}, 0.001),
               "jax": Answer("jax", False, trouble=Trouble(STOPPED, exit_code=-9)),
               "numpy": Answer("numpy", False, trouble=Trouble(START_FAILED, exit_code=1))}
    notes = view.comparison(answers)["note"].tolist()
    assert notes == ["reference", "stopped (exit code -9 (SIGKILL))",
                     "did not start (exit code 1)"]
    assert view.click_messages(answers) == [view.trouble_message("jax", answers["jax"].trouble)]
    frame = view.states_frame({"tensorflow": "ready", "jax": "stopped", "numpy": "failed"}, {},
                              {}, INSTALL, {"numpy": answers["numpy"].trouble})
    assert frame["worker"].tolist() == ["ready", "not running", "did not start (exit code 1)"]


def test_workers_stop_when_the_process_that_started_them_is_killed():
    """Killed, the app runs no exit handler: its workers see their stdin close and exit.
    (A server that stops normally also stops them: tests/test_backends_page.py.)"""
    backend = _any_backend()
    script = ("import time; from core.backends.pool import Pool\n"
              f"pool = Pool(({backend!r},)); assert pool.wait_ready()\n"
              f"print(pool.pids()[{backend!r}], flush=True); time.sleep(600)\n")
    app = subprocess.Popen([sys.executable, "-c", script], cwd=ROOT, stdout=subprocess.PIPE,
                           text=True)
    try:
        pid = int(app.stdout.readline())
        assert _running(pid)
        app.kill()
        app.wait(timeout=60)
        deadline = time.monotonic() + 30
        while _running(pid) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not _running(pid)
    finally:
        app.kill()


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    status = Path(f"/proc/{pid}/status")
    return not (status.exists() and "\nState:\tZ" in status.read_text())


# --- the command line and the shipped models' figures -------------------------------------------

def test_evaluate_backends_prints_the_agreement_as_its_last_line():
    result = subprocess.run(
        [sys.executable, "-m", "core", "evaluate", "backends", "--backends", "tensorflow",
         "numpy", "torch", "--models", "air_quality/all.keras"],
        cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-2000:]
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert set(report["backends"]) == {"tensorflow", "numpy", "torch"}
    assert report["cases"] == 5 and report["max_abs_diff"] <= AGREE
    for backend, figures in report["backends"].items():
        if missing(backend):
            assert figures["ok"] is False and INSTALL[backend] in figures["reason"]
        else:
            assert figures["ok"] is True and figures["seconds"] > 0
    if not missing("numpy"):
        assert report["backends"]["numpy"]["skipped"] == ["dream_step"]
    bad = subprocess.run([sys.executable, "-m", "core", "evaluate", "backends", "--models",
                          "nope.keras"], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert bad.returncode == 2 and "not shipped models: nope.keras" in bad.stderr


def test_a_shipped_models_figures_are_the_same_under_jax():
    _installed("jax")
    data = shared_data()
    if data is None:
        pytest.skip(NEEDS_DATA)
    figures = {}
    for backend in ("tensorflow", "jax"):
        result = subprocess.run(
            [sys.executable, "-m", "core", "evaluate", "air-quality", "--model", "all"],
            cwd=ROOT, capture_output=True, text=True, timeout=600,
            env={**os.environ, "KERAS_BACKEND": backend, "LAB_DATA_DIR": str(data)})
        assert result.returncode == 0, result.stderr[-2000:]
        figures[backend] = json.loads(result.stdout.strip().splitlines()[-1])
    assert figures["tensorflow"]["rows"] == figures["jax"]["rows"] > 1000
    for key in ("rmse", "mae", "r2"):
        assert abs(figures["tensorflow"][key] - figures["jax"][key]) <= AGREE
