"""What the Backends page shows, computed: the comparison of one case's answers across
backends, their times as a chart, the book's lines as a table, the per-backend gradient code
and the dream step's images (pure pandas and Altair: no Streamlit here)."""

from __future__ import annotations

import contextlib
import inspect
import signal
from collections.abc import Mapping

import altair as alt
import numpy as np
import pandas as pd

from core.backends import book, pool, steps
from core.backends.pool import BACKENDS, Answer, Trouble
from core.i18n import N_, _

NAMES = {"tensorflow": "TensorFlow", "jax": "JAX", "numpy": "NumPy", "torch": "PyTorch"}
STATES = {"ready": N_("ready"), "starting": N_("starting…"), "stopped": N_("not running"),
          "failed": N_("did not start"), "missing": N_("not installed")}
# A worker's trouble in a table's cell, and said in full under the table
TROUBLE_NOTES = {pool.START_FAILED: N_("did not start (exit code {code})"),
                 pool.START_SLOW: N_("did not start within {seconds:.0f} s"),
                 pool.STOPPED: N_("stopped (exit code {code})"),
                 pool.NO_ANSWER: N_("no answer within {seconds:.0f} s")}
TROUBLE_MESSAGES = {
    pool.START_FAILED: N_(
        "The {name} worker did not start: it exited with code {code} before it was ready (a "
        "broken installation, or too little memory; the server's log says which). The other "
        "backends carry on without it; the button in section 1 starts it again."),
    pool.START_SLOW: N_(
        "The {name} worker did not start within {seconds:.0f} s, so it was stopped (the server "
        "may be very busy). The other backends carry on without it; the button in section 1 "
        "starts it again."),
    pool.STOPPED: N_(
        "The {name} worker stopped (exit code {code}): it was ended, or the server ran out of "
        "memory. A fresh one is starting; the next click uses it."),
    pool.NO_ANSWER: N_(
        "The {name} worker gave no answer within {seconds:.0f} s, so it was stopped. The next "
        "click starts a fresh one.")}


def exit_code(code: int | None) -> str:
    """An exit code as a reader can look it up: a negative one names the signal that ended the
    process ("-9 (SIGKILL)")."""
    if code is None:
        return "?"
    if code < 0:
        with contextlib.suppress(ValueError):
            return f"{code} ({signal.Signals(-code).name})"
    return str(code)


def trouble_note(trouble: Trouble) -> str:
    """A worker's trouble in a few words, for a table's cell."""
    return _(TROUBLE_NOTES[trouble.kind], code=exit_code(trouble.exit_code),
             seconds=trouble.seconds or 0.0)


def trouble_message(backend: str, trouble: Trouble) -> str:
    """A worker's trouble in full: what happened, and what happens next."""
    return _(TROUBLE_MESSAGES[trouble.kind], name=NAMES.get(backend, backend),
             code=exit_code(trouble.exit_code), seconds=trouble.seconds or 0.0)


def click_messages(answers: Mapping[str, Answer]) -> list[str]:
    """What went wrong with a worker during a click, in full: it stopped, or gave no answer. (A
    worker that did not start is said once, in section 1, and in each table's note.)"""
    return [trouble_message(backend, answer.trouble) for backend, answer in answers.items()
            if answer.trouble is not None and answer.trouble.kind in (pool.STOPPED,
                                                                       pool.NO_ANSWER)]


def note(answer: Answer) -> str:
    """Why a backend gave no outputs: its worker's trouble, a limit of the backend (one of our
    own messages, steps.NO_AUTODIFF), or what the case raised, as Python words it."""
    if answer.trouble is not None:
        return trouble_note(answer.trouble)
    if answer.unsupported:
        return _(answer.error)
    return answer.error or ""


def max_abs_diff(a: Mapping[str, np.ndarray], b: Mapping[str, np.ndarray]) -> float:
    """The largest |a - b| over every output the two share (inf where shapes differ)."""
    worst = 0.0
    for key in a.keys() & b.keys():
        x, y = np.asarray(a[key], "float64"), np.asarray(b[key], "float64")
        if x.shape != y.shape:
            return float("inf")
        if x.size:
            worst = max(worst, float(np.max(np.abs(x - y))))
    return worst


def scaled_diff(a: Mapping[str, np.ndarray], b: Mapping[str, np.ndarray]) -> float:
    """Like `max_abs_diff`, each output's difference divided by max(1, its largest |value|
    in `a`): absolute for probabilities and pixels, relative for large activations."""
    return max((max_abs_diff({k: a[k]}, {k: b[k]}) / max(1.0, float(np.max(np.abs(a[k])))
                                                          if np.size(a[k]) else 1.0)
                for k in a.keys() & b.keys()), default=0.0)


def reference(answers: Mapping[str, Answer]) -> str | None:
    """The backend the others are compared with: the first that answered, TensorFlow first."""
    return next((b for b in BACKENDS if b in answers and answers[b].ok), None)


def agreement(answers: Mapping[str, Answer]) -> tuple[float, float]:
    """(max |difference|, scaled difference) of every backend that answered, against the
    reference; (0, 0) with fewer than two."""
    ref = reference(answers)
    if ref is None:
        return 0.0, 0.0
    others = [a.outputs for b, a in answers.items() if a.ok and b != ref]
    return (max((max_abs_diff(answers[ref].outputs, o) for o in others), default=0.0),
            max((scaled_diff(answers[ref].outputs, o) for o in others), default=0.0))


def comparison(answers: Mapping[str, Answer]) -> pd.DataFrame:
    """One row per backend: its time (inside the worker and as the click felt it) and how far
    its outputs are from the reference's."""
    ref = reference(answers)
    rows = []
    for backend, answer in answers.items():
        if answer.ok:
            diff = (max_abs_diff(answers[ref].outputs, answer.outputs)
                    if ref and backend != ref else None)
            why = _("reference") if backend == ref else ""
        else:
            diff, why = None, note(answer)
        rows.append({_("backend"): NAMES.get(backend, backend),
                     _("computing (ms)"): _ms(answer.seconds if answer.ok else None),
                     _("click (ms)"): _ms(answer.round_trip),
                     _("max |difference|"): diff, _("note"): why})
    return pd.DataFrame(rows)


def _ms(seconds: float | None) -> float | None:
    return None if seconds is None else round(1000 * seconds, 1)


def time_chart(answers: Mapping[str, Answer]) -> alt.Chart:
    """Milliseconds per backend: computing inside the worker, and the whole round trip."""
    computing, trip = _("computing, in the worker"), _("the whole click (pipe included)")
    rows = [{"backend": NAMES.get(b, b), "part": part, "ms": 1000 * seconds}
            for b, a in answers.items() if a.ok
            for part, seconds in ((computing, a.seconds), (trip, a.round_trip))]
    frame = pd.DataFrame(rows, columns=["backend", "part", "ms"])
    return alt.Chart(frame, title=_("Time of this click, per backend")).mark_bar().encode(
        x=alt.X("backend:N", title=None, sort=[NAMES[b] for b in BACKENDS],
                axis=alt.Axis(labelAngle=0)),
        xOffset=alt.XOffset("part:N", sort=[computing, trip]),
        y=alt.Y("ms:Q", title=_("milliseconds")),
        color=alt.Color("part:N", title=None, sort=[computing, trip],
                        legend=alt.Legend(orient="top", labelLimit=300)),
        tooltip=[alt.Tooltip("backend:N", title=_("backend")),
                 alt.Tooltip("part:N", title=_("what")),
                 alt.Tooltip("ms:Q", title=_("milliseconds"), format=".1f")],
    ).properties(height=240)


def outputs_frame(answers: Mapping[str, Answer], key: str, limit: int = 8) -> pd.DataFrame:
    """The first `limit` numbers of one output, a column per backend, for the eye to compare."""
    columns = {NAMES.get(b, b): np.ravel(a.outputs[key])[:limit]
               for b, a in answers.items() if a.ok and key in a.outputs}
    return pd.DataFrame(columns)


def states_frame(states: Mapping[str, str], infos: Mapping[str, dict],
                 missing: Mapping[str, str], install: Mapping[str, str],
                 troubles: Mapping[str, Trouble | None] | None = None) -> pd.DataFrame:
    """One row per backend: its state (why, where it did not start), library version, the
    seconds from starting it to ready (importing, and the warm-up), or what is missing and the
    command that adds it."""
    rows = []
    for backend in BACKENDS:
        if backend not in states:
            continue
        info = infos.get(backend) or {}
        start = info.get("ready_seconds")
        trouble = (troubles or {}).get(backend)
        state = trouble_note(trouble) if trouble else _(STATES[states[backend]])
        rows.append({_("backend"): NAMES[backend], _("worker"): state,
                     _("version"): info.get("version", ""),
                     _("ready in (s)"): None if start is None else round(start, 1),
                     _("to add it"): install[backend] if backend in missing else ""})
    return pd.DataFrame(rows)


def book_table(answers: Mapping[str, Answer]) -> str:
    """A Markdown table: the book's Keras 2 lines beside Keras 3's, what the Keras 3 line
    returned on the reference backend and the largest difference among the backends."""
    ref = reference(answers)
    labels = (_("book file"), _("Keras 2 (the book)"), _("Keras 3"), _("result"),
              _("largest difference"))
    rows = ["| " + " | ".join(labels) + " |", "|---|---|---|---|---:|"]
    for i, line in enumerate(book.LINES):
        key = f"line_{i}"
        if not line.portable:
            rows.append(f"| `{line.file}` | `{line.keras2}` | {_(line.keras3)} | | |")
            continue
        value, diff = "", ""
        if ref is not None:
            mine = {key: answers[ref].outputs[key]}
            worst = max((max_abs_diff(mine, {key: a.outputs[key]})
                         for b, a in answers.items() if a.ok and b != ref), default=0.0)
            value, diff = f"`{_short(mine[key])}`", f"{worst:.1e}"
        rows.append(f"| `{line.file}` | `{line.keras2}` | `{line.keras3}` | {value} | {diff} |")
    return "\n".join(rows)


def _short(value: np.ndarray, limit: int = 4) -> str:
    flat = np.ravel(value)
    shown = ", ".join(f"{v:.4g}" for v in flat[:limit])
    shape = "×".join(map(str, np.shape(value))) or "()"
    return f"{shape}: {shown}{', …' if flat.size > limit else ''}"


def gradient_sources() -> dict[str, str]:
    """The source of each backend's gradient function, for the page to show side by side."""
    return {backend: inspect.getsource(function) for backend, function in steps.GRADIENTS.items()}


def shared_source() -> str:
    """The portable part of the step: the loss and the update, in keras.ops."""
    return inspect.getsource(steps.dream_loss) + "\n\n" + inspect.getsource(steps.ascend)


def to_pixels(image: np.ndarray) -> np.ndarray:
    """A [-1, 1] RGB image as 8-bit pixels (values past the range clipped)."""
    return np.clip((np.asarray(image) + 1.0) * 127.5, 0, 255).round().astype(np.uint8)


def change_pixels(before: np.ndarray, after: np.ndarray) -> np.ndarray:
    """What the steps added, stretched to grey 0–255 (mid grey: unchanged)."""
    delta = np.asarray(after, "float64") - before
    scale = float(np.max(np.abs(delta))) or 1.0
    return ((delta / scale + 1.0) * 127.5).round().astype(np.uint8)
