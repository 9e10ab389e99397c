"""What the Customizing Keras page shows: the `K.*` → `keras.ops` table and the charts of the
LRN demo and the initializer lab (pure Altair: no Streamlit here)."""

from __future__ import annotations

import math

import altair as alt
import numpy as np
import pandas as pd

from core.customizing import backend
from core.customizing import initializers as ini
from core.customizing.initializers import Experiment

# Plain numbers, but tiny and huge ones in short scientific notation (5e-5, 2e+4).
_NUMBER = alt.Axis(tickCount=3, labelOverlap=True, labelExpr=(
    "abs(datum.value) > 0 && (abs(datum.value) < 0.01 || abs(datum.value) >= 1e4)"
    " ? format(datum.value, '.0e') : format(datum.value, '~g')"))
_CELL = (72, 50)  # width, height of one small histogram, in pixels


def ops_table() -> str:
    """A Markdown table: each book backend call, its Keras 3 spelling, and what that returned."""
    rows = [f"| `{book}` | `{keras3}` | `{result}` |" for book, keras3, result in backend.run_all()]
    return "\n".join(["| book (Keras 2 backend) | Keras 3 | what the Keras 3 code returned |",
                      "|---|---|---|", *rows])


def experiment_work(choices: tuple[str, ...], activation: str, depth: int, steps: int,
                    x: np.ndarray, y: np.ndarray):
    """The initializer experiment as work for the server's shared queue (`core.jobs`): one
    initializer after another, reporting each and stoppable in between; the merged result."""
    def work(job) -> Experiment:
        settings = ini.Settings(activation=activation, depth=depth, steps=steps)
        parts = []
        for i, choice in enumerate(choices):
            job.check()
            job.report(i / len(choices), f"{choice} ({i + 1} of {len(choices)})…")
            parts.append(ini.run_initializer(x, y, choice, settings))
        return ini.merge(parts)
    return work


def flat_initializers(experiment: Experiment) -> list[str]:
    """The initializers some layer of which has a spread of exactly 0 (a log axis omits them)."""
    return sorted(set(experiment.layer_stats.query("std == 0")["initializer"]))


def histograms(experiment: Experiment, kind: str) -> alt.Chart:
    """Small multiples: one histogram per layer (columns) per initializer (rows). Every cell
    has its own x range, since values span many orders of magnitude across rows; exact zeros
    are left out of the bars and counted in the corner instead."""
    frame = experiment.histograms[experiment.histograms["kind"] == kind].copy()
    first = ~frame.duplicated(["initializer", "layer"])
    percent = (frame["zero_share"] * 100).round()
    frame["zeros"] = np.where(first & (percent > 0), percent.map("{:.0f}% = 0".format), "")
    bars = alt.Chart().mark_bar(color="#4c78a8").encode(
        x=alt.X("bin_start:Q", title=None, axis=_NUMBER),
        x2="bin_end:Q",
        y=alt.Y("share:Q", title=None, axis=None),
        tooltip=[alt.Tooltip("bin_start:Q", format=".3g", title="from"),
                 alt.Tooltip("bin_end:Q", format=".3g", title="to"),
                 alt.Tooltip("share:Q", format=".1%")],
    )
    zeros = alt.Chart().mark_text(align="right", baseline="top", fontSize=10, color="#c44").encode(
        x=alt.value(_CELL[0]), y=alt.value(0), text="zeros:N",
    ).transform_filter("datum.zeros != ''")
    return alt.layer(bars, zeros, data=frame).properties(width=_CELL[0], height=_CELL[1]).facet(
        row=alt.Row("initializer:N", sort=list(dict.fromkeys(frame["initializer"])), title=None,
                    header=alt.Header(labelAngle=0, labelAlign="left", labelLimit=140)),
        column=alt.Column("layer:N", title=None, sort=_layer_order(frame)),
    ).resolve_scale(x="independent", y="independent")


def spread_by_depth(experiment: Experiment) -> alt.Chart:
    """Standard deviation of activations and gradients layer by layer, log scale: vanishing
    signals slope down, exploding ones up. Exact zeros cannot sit on a log axis."""
    frame = experiment.layer_stats.copy()
    frame["std"] = frame["std"].where(frame["std"] > 0)
    frame["kind"] = frame["kind"].map({"activation": "activations", "gradient": "kernel gradients"})
    return alt.Chart(frame.dropna(subset=["std"])).mark_line(point=True).encode(
        x=alt.X("depth:O", title="layer (output last)"),
        y=alt.Y("std:Q", scale=alt.Scale(type="log"), title="standard deviation (log)"),
        color=alt.Color("initializer:N", sort=list(dict.fromkeys(frame["initializer"])),
                        legend=alt.Legend(orient="bottom", columns=3, title=None)),
        tooltip=["initializer", "layer", alt.Tooltip("std:Q", format=".3g")],
    ).properties(width=300, height=220).facet(column=alt.Column("kind:N", title=None)
                                              ).resolve_scale(y="independent")


def loss_curves(experiment: Experiment, classes: int = 10) -> alt.Chart:
    """Training and validation loss per initializer, side by side on one shared y axis, cut
    a little above chance level (ln 10 ≈ 2.3) so that a diverging run cannot flatten the rest."""
    top = math.ceil(1.5 * math.log(classes))
    diverged = set(experiment.summary.loc[experiment.summary["diverged"], "initializer"])
    curves = experiment.curves
    frame = curves.assign(
        loss=curves["loss"].where(np.isfinite(curves["loss"])),
        panel=[f"{name} (diverged)" if name in diverged else name
               for name in curves["initializer"]])
    return alt.Chart(frame).mark_line(clip=True).encode(
        x=alt.X("step:Q", title="SGD step"),
        y=alt.Y("loss:Q", scale=alt.Scale(domain=[0, top], clamp=True),
                title=f"cross-entropy (cut at {top})"),
        color=alt.Color("split:N", title=None, legend=alt.Legend(orient="top"),
                        scale=alt.Scale(domain=["training", "validation"],
                                        range=["#4c78a8", "#f58518"])),
        tooltip=["step", "split", alt.Tooltip("loss:Q", format=".3f")],
    ).properties(width=190, height=130).facet(
        facet=alt.Facet("panel:N", sort=list(dict.fromkeys(frame["panel"])), title=None),
        columns=3)


def peaks(before: np.ndarray, after: np.ndarray, names: tuple[str, ...]) -> alt.Chart:
    """The strongest response of each feature map before and after LRN, joined by a line:
    on a log axis, a longer line means a stronger damping."""
    frame = pd.DataFrame({"map": names * 2,
                          "stage": ["before LRN"] * len(names) + ["after LRN"] * len(names),
                          "peak": np.concatenate([before.max(axis=(0, 1)),
                                                  after.max(axis=(0, 1))])})
    frame = frame[frame["peak"] > 0]
    base = alt.Chart(frame).encode(
        y=alt.Y("map:N", sort=list(names), title=None),
        x=alt.X("peak:Q", scale=alt.Scale(type="log"), title="peak activation (log scale)"))
    dots = base.mark_circle(size=90, opacity=1).encode(
        color=alt.Color("stage:N", sort=["before LRN", "after LRN"], title=None,
                        legend=alt.Legend(orient="top")),
        tooltip=["map", "stage", alt.Tooltip("peak:Q", format=".3g")])
    return (base.mark_line(color="#bbb").encode(detail="map:N") + dots).properties(
        height=260)


def _layer_order(frame: pd.DataFrame) -> list[str]:
    return sorted(frame["layer"].unique(), key=lambda n: (n == "output", len(n), n))
