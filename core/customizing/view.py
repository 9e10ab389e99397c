"""What the Customizing Keras page shows: the `K.*` → `keras.ops` table, what theory predicts
of the initializer lab beside what it measured, and the charts of the LRN demo and the lab
(pure Altair: no Streamlit here; titles, axes, legends and tooltips in the current language)."""

from __future__ import annotations

import inspect
import math

import altair as alt
import numpy as np
import pandas as pd

from core.customizing import backend, lrn
from core.customizing import initializers as ini
from core.customizing.initializers import Experiment
from core.i18n import _

# Plain numbers, but tiny and huge ones in short scientific notation (5e-5, 2e+4).
_NUMBER = alt.Axis(tickCount=3, labelOverlap=True, labelExpr=(
    "abs(datum.value) > 0 && (abs(datum.value) < 0.01 || abs(datum.value) >= 1e4)"
    " ? format(datum.value, '.0e') : format(datum.value, '~g')"))
_CELL = (72, 50)  # width, height of one small histogram, in pixels


def ops_table() -> str:
    """A Markdown table: each book backend call, its Keras 3 spelling, and what that returned."""
    rows = [f"| `{book}` | `{keras3}` | `{result}` |" for book, keras3, result in backend.run_all()]
    header = _("| book (Keras 2 backend) | Keras 3 | what the Keras 3 code returned |")
    return "\n".join([header, "|---|---|---|", *rows])


def lrn_code() -> str:
    """The source of the LRN layers, exactly as they run: the shared base, then each one."""
    classes = (lrn.LRNBase, *(variant.layer for variant in lrn.VARIANTS.values()))
    return "\n\n".join(inspect.getsource(cls) for cls in classes)


def experiment_work(choices: tuple[str, ...], activation: str, depth: int, steps: int,
                    x: np.ndarray, y: np.ndarray):
    """The initializer experiment as work for the server's shared queue (`core.jobs`): one
    initializer after another, reporting which as data (the page words it) and stoppable in
    between; the merged result."""
    def work(job) -> Experiment:
        settings = ini.Settings(activation=activation, depth=depth, steps=steps)
        parts = []
        for i, choice in enumerate(choices):
            job.check()
            job.report(i / len(choices), "", preview=(choice, i + 1, len(choices)))
            parts.append(ini.run_initializer(x, y, choice, settings))
        return ini.merge(parts)
    return work


def growth_per_layer(experiment: Experiment) -> pd.DataFrame:
    """Per initializer: by how much the activations' spread is multiplied from one hidden layer
    to the next (geometric mean over the hidden layers), as measured at initialization and as
    theory predicts from each kernel's fan-in and variance: √(fan_in · Var(W) / 2) for relu
    (He et al. 2015), √(fan_in · Var(W)) for tanh while it stays near its linear range (Glorot
    & Bengio 2010). A factor of 1 keeps the signal steady however deep the network is.
    Initializers whose activations are all zero (no spread to compare) are left out."""
    acts = experiment.layer_stats.query("kind == 'activation'").sort_values("depth")
    rows = []
    for name, layers in acts.groupby("initializer", sort=False):
        std = layers["std"].to_numpy()
        if len(std) < 2 or not np.all(std > 0) or not np.all(np.isfinite(std)):
            continue
        gain = 0.5 if layers["activation"].iloc[0] == "relu" else 1.0
        factors = np.sqrt(layers["fan_in"].to_numpy()[1:] * layers["kernel_var"].to_numpy()[1:]
                          * gain)
        rows.append({"initializer": name,
                     "measured": float((std[-1] / std[0]) ** (1 / (len(std) - 1))),
                     "predicted": float(np.exp(np.mean(np.log(factors))))})
    return pd.DataFrame(rows, columns=["initializer", "measured", "predicted"])


def largest_gap(growth: pd.DataFrame) -> pd.Series:
    """The row of `growth_per_layer` where theory and measurement differ most (by ratio)."""
    ratio = growth["measured"] / growth["predicted"]
    return growth.loc[np.maximum(ratio, 1 / ratio).idxmax()]


def growth_chart(growth: pd.DataFrame) -> alt.Chart:
    """`growth_per_layer` as two dots per initializer on a log axis, and a rule at 1."""
    names = {"measured": _("measured at initialization"), "predicted": _("predicted by theory")}
    long = growth.rename(columns=names).melt("initializer", list(names.values()),
                                            var_name="source", value_name="factor")
    dots = alt.Chart(long).mark_point(size=90, filled=True).encode(
        x=alt.X("factor:Q", scale=alt.Scale(type="log"),
                title=_("spread multiplied per hidden layer (log scale)")),
        y=alt.Y("initializer:N", sort=list(growth["initializer"]), title=None),
        color=alt.Color("source:N", title=None, legend=alt.Legend(orient="top")),
        shape=alt.Shape("source:N", title=None),
        tooltip=[alt.Tooltip("initializer:N", title="kernel_initializer"),
                 alt.Tooltip("source:N", title=_("source")),
                 alt.Tooltip("factor:Q", format=".3g", title=_("factor"))])
    steady = alt.Chart(pd.DataFrame({"factor": [1.0]})).mark_rule(color="#888",
                                                                  strokeDash=[4, 3]).encode(
        x="factor:Q")
    return (steady + dots).properties(height=30 + 28 * len(growth))


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
    frame["zeros"] = np.where(first & (percent > 0),
                              [_("{share:.0f}% = 0", share=p) for p in percent], "")
    bars = alt.Chart().mark_bar(color="#4c78a8").encode(
        x=alt.X("bin_start:Q", title=None, axis=_NUMBER),
        x2="bin_end:Q",
        y=alt.Y("share:Q", title=None, axis=None),
        tooltip=[alt.Tooltip("bin_start:Q", format=".3g", title=_("from")),
                 alt.Tooltip("bin_end:Q", format=".3g", title=_("to")),
                 alt.Tooltip("share:Q", format=".1%", title=_("share"))],
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
    frame["kind"] = frame["kind"].map({"activation": _("activations"),
                                       "gradient": _("kernel gradients")})
    return alt.Chart(frame.dropna(subset=["std"])).mark_line(point=True).encode(
        x=alt.X("depth:O", title=_("layer (output last)")),
        y=alt.Y("std:Q", scale=alt.Scale(type="log"), title=_("standard deviation (log)")),
        color=alt.Color("initializer:N", sort=list(dict.fromkeys(frame["initializer"])),
                        legend=alt.Legend(orient="bottom", columns=3, title=None)),
        tooltip=[alt.Tooltip("initializer:N", title="kernel_initializer"),
                 alt.Tooltip("layer:N", title=_("layer")),
                 alt.Tooltip("std:Q", format=".3g", title=_("standard deviation"))],
    ).properties(width=300, height=220).facet(column=alt.Column("kind:N", title=None)
                                              ).resolve_scale(y="independent")


def loss_curves(experiment: Experiment, classes: int = 10) -> alt.Chart:
    """Training and validation loss per initializer, side by side on one shared y axis, cut
    a little above chance level (ln 10 ≈ 2.3) so that a diverging run cannot flatten the rest."""
    top = math.ceil(1.5 * math.log(classes))
    diverged = set(experiment.summary.loc[experiment.summary["diverged"], "initializer"])
    curves = experiment.curves
    splits = {"training": _("training"), "validation": _("validation")}
    frame = curves.assign(
        loss=curves["loss"].where(np.isfinite(curves["loss"])),
        split=curves["split"].map(splits),
        panel=[_("{name} (diverged)", name=name) if name in diverged else name
               for name in curves["initializer"]])
    return alt.Chart(frame).mark_line(clip=True).encode(
        x=alt.X("step:Q", title=_("SGD step")),
        y=alt.Y("loss:Q", scale=alt.Scale(domain=[0, top], clamp=True),
                title=_("cross-entropy (cut at {top})", top=top)),
        color=alt.Color("split:N", title=None, legend=alt.Legend(orient="top"),
                        scale=alt.Scale(domain=list(splits.values()),
                                        range=["#4c78a8", "#f58518"])),
        tooltip=[alt.Tooltip("step:Q", title=_("SGD step")),
                 alt.Tooltip("split:N", title=_("data")),
                 alt.Tooltip("loss:Q", format=".3f", title=_("loss"))],
    ).properties(width=190, height=130).facet(
        facet=alt.Facet("panel:N", sort=list(dict.fromkeys(frame["panel"])), title=None),
        columns=3)


def peaks(before: np.ndarray, after: np.ndarray, names: tuple[str, ...]) -> alt.Chart:
    """The strongest response of each feature map before and after LRN, joined by a line:
    on a log axis, a longer line means a stronger damping. `names` are the maps' names, shown
    translated."""
    shown = [_(name) for name in names]
    stages = [_("before LRN"), _("after LRN")]
    frame = pd.DataFrame({"map": shown * 2,
                          "stage": [stages[0]] * len(names) + [stages[1]] * len(names),
                          "peak": np.concatenate([before.max(axis=(0, 1)),
                                                  after.max(axis=(0, 1))])})
    frame = frame[frame["peak"] > 0]
    base = alt.Chart(frame).encode(
        y=alt.Y("map:N", sort=shown, title=None),
        x=alt.X("peak:Q", scale=alt.Scale(type="log"), title=_("peak activation (log scale)")))
    dots = base.mark_circle(size=90, opacity=1).encode(
        color=alt.Color("stage:N", sort=stages, title=None, legend=alt.Legend(orient="top")),
        tooltip=[alt.Tooltip("map:N", title=_("feature map")),
                 alt.Tooltip("stage:N", title=_("stage")),
                 alt.Tooltip("peak:Q", format=".3g", title=_("peak"))])
    return (base.mark_line(color="#bbb").encode(detail="map:N") + dots).properties(
        height=260)


def _layer_order(frame: pd.DataFrame) -> list[str]:
    return sorted(frame["layer"].unique(), key=lambda n: (n == "output", len(n), n))
