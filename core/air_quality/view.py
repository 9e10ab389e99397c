"""What the Regression page shows: slider values, sweeps, comparisons, the shipped models'
figures in words, and every chart of the page (pure Altair: no Streamlit here)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import altair as alt
import numpy as np
import pandas as pd

from core import i18n
from core.air_quality import baselines, data
from core.air_quality.model import KEY_SENSOR, not_computed, predict
from core.air_quality.training import BenzeneCard
from core.i18n import _

# Steps for the tuning sliders, in each column's unit.
STEPS = {"CO(GT)": 0.1, "NMHC(GT)": 1.0, "NOx(GT)": 1.0, "NO2(GT)": 1.0, "T": 0.1, "RH": 0.1,
         "AH": 0.01}
SENSOR_STEP = 1.0  # the PT08.* sensor responses are whole numbers


def slider_step(column: str) -> float:
    return STEPS.get(column, SENSOR_STEP)


def slider_format(column: str) -> str:
    return {1.0: "%.0f", 0.1: "%.1f"}.get(slider_step(column), "%.2f")


def clamp(column: str, value: float | None, ranges: Mapping[str, dict],
          fill: Mapping[str, float]) -> float:
    """A value for a slider: on its step, inside its range (`ranges`, from the card); the
    training mean (`fill`) when it was not measured."""
    r, step = ranges[column], slider_step(column)
    value = fill[column] if value is None else value
    return float(min(max(round(value / step) * step, r["min"]), r["max"]))


def row(values: Mapping[str, float | None], columns: Sequence[str]) -> pd.DataFrame:
    """One row in raw units; None (not measured) becomes NaN, which the model fills in."""
    return pd.DataFrame([{c: np.nan if values.get(c) is None else values[c] for c in columns}])


def predict_one(model, values: Mapping[str, float | None], columns: Sequence[str]) -> float:
    return float(predict(model, row(values, columns), columns)[0])


def sweep(model, values: Mapping[str, float | None], columns: Sequence[str], column: str,
          low: float, high: float, points: int = 120) -> pd.DataFrame:
    """The prediction as `column` runs from low to high, every other input held fixed."""
    grid = np.linspace(low, high, points)
    frame = pd.concat([row(values, columns)] * points, ignore_index=True)
    frame[column] = grid
    return pd.DataFrame({column: grid, "benzene": predict(model, frame, columns)})


def swings(model, values: Mapping[str, float | None], columns: Sequence[str],
           ranges: Mapping[str, dict], points: int = 40) -> pd.DataFrame:
    """For each input: how far the prediction moves (max − min, µg/m³) as that input alone
    runs over its slider range, the others held at `values`; largest first."""
    rows = []
    for column in columns:
        r = ranges[column]
        curve = sweep(model, values, columns, column, r["min"], r["max"], points)["benzene"]
        rows.append({"input": column, "swing": float(curve.max() - curve.min())})
    return pd.DataFrame(rows).sort_values("swing", ascending=False, ignore_index=True)


def period(span: Sequence[str]) -> str:
    """A card's [first, last] hour as dates in the reader's language: "Nov 1, 2004 – Dec 31,
    2004" (2004/11/01 – 2004/12/31)."""
    return f"{i18n.date(str(span[0]))} – {i18n.date(str(span[-1]))}"


def comparison(cards: Mapping[str, BenzeneCard]) -> pd.DataFrame:
    """One row per model or baseline, from the shipped cards (no training on page load); the
    words in the current language, the column names stable keys (the page labels them)."""
    rows = []

    def add(name, inputs, cleaning, split, scored_on, m):
        rows.append({"model": name, "inputs": inputs, "missing": cleaning, "split": split,
                     "scored_on": scored_on, "rows": m["rows"], "rmse": m["rmse"],
                     "mae": m["mae"], "r2": m["r2"]})

    for kind, card in cards.items():
        n, base = len(card.inputs), card.baselines
        chrono, val = _("chronological"), period(card.split["validation"])
        if "book_recipe" in base:
            recipe, name = base["book_recipe"], _("book's recipe (Japanese edition's code)")
            split, left_in = _("random 70/30"), _("-200 left in")
            add(name, len(data.ALL_INPUTS), left_in, split,
                _("its own test rows, -200 targets included"), recipe["test_all_rows"])
            add(name, len(data.ALL_INPUTS), left_in, split,
                _("its test rows that have a reading"), recipe["test_rows_with_reading"])
        if "linear" in base:
            add(_("least squares"), n, _("training means"), chrono, val, base["linear"])
        if "book_network_clean" in base:
            add(_("book's network ({n}→{units}→1)", n=n, units=baselines.BOOK_UNITS), n,
                _("training means"), chrono, val, base["book_network_clean"])
        add(_("shipped: {kind}", kind=kind), n, _("training means"), chrono, val,
            card.validation)
    return pd.DataFrame(rows)


def comparison_labels() -> dict[str, str]:
    """The comparison's column keys -> their headers in the current language."""
    return {"model": _("model"), "inputs": _("inputs"), "missing": _("missing values"),
            "split": _("split"), "scored_on": _("scored on"), "rows": _("rows"),
            "rmse": _("RMSE (µg/m³)"), "mae": _("MAE (µg/m³)"), "r2": "R²"}


def not_computed_lines(scores: Sequence[Mapping]) -> list[str]:
    """One sentence per metric that some row of `scores` could not compute, and why."""
    why = {name: reason for row in scores for name, reason in not_computed(row).items()}
    labels = {"rmse": "RMSE", "mae": "MAE", "r2": "R²"}
    return [_("{metric} cannot be computed for this file: {reason}.", metric=labels[name],
              reason=reason) for name, reason in why.items()]


def validation_frame(model, frame: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    """time, actual, predicted and residual for the validation months."""
    __, validation = data.split(frame)
    pred = predict(model, validation, columns)
    actual = validation[data.TARGET].to_numpy()
    return pd.DataFrame({"time": validation.index, "actual": actual, "predicted": pred,
                         "residual": pred - actual})


# --- charts (titles, axes, legends and tooltips in the current language) ----------------------

def benzene_cdf_chart(percentiles: Sequence[float], prediction: float) -> alt.Chart:
    """The share of the dataset's hours below each benzene level, the prediction as a red
    rule."""
    cdf = pd.DataFrame({"benzene": percentiles, "share": range(len(percentiles))})
    return (alt.Chart(cdf).mark_line().encode(
        x=alt.X("benzene:Q", title=_("benzene (µg/m³)")),
        y=alt.Y("share:Q", title=_("share of hours below (%)")))
        + alt.Chart(pd.DataFrame({"benzene": [prediction]})).mark_rule(color="red", size=2)
        .encode(x="benzene:Q"))


def sweep_chart(curve: pd.DataFrame, column: str, value: float, prediction: float) -> alt.Chart:
    """The sweep's curve (`sweep`'s frame) and today's inputs as a red dot."""
    # Vega-Lite reads dots in field names as paths ("PT08.S2"): chart a plain "value" column.
    curve = curve.rename(columns={column: "value"})
    here = pd.DataFrame({"value": [value], "benzene": [prediction]})
    return (alt.Chart(curve).mark_line().encode(
        x=alt.X("value:Q", title=data.label(column), scale=alt.Scale(zero=False)),
        y=alt.Y("benzene:Q", title=_("predicted benzene (µg/m³)")))
        + alt.Chart(here).mark_point(color="red", size=80, filled=True).encode(
            x="value:Q", y="benzene:Q"))


def swings_chart(frame: pd.DataFrame) -> alt.Chart:
    """`swings`' frame as bars, largest on top."""
    return alt.Chart(frame).mark_bar().encode(
        x=alt.X("swing:Q", title=_("how far it moves the prediction (µg/m³)")),
        y=alt.Y("input:N", sort=list(frame["input"]), title=None,
                axis=alt.Axis(labelOverlap=False)),
        tooltip=[alt.Tooltip("input:N", title=_("input")),
                 alt.Tooltip("swing:Q", format=".2f", title=_("µg/m³"))])


def validation_chart(frame: pd.DataFrame) -> alt.Chart:
    """Actual and predicted benzene over the validation months (`validation_frame`'s frame)."""
    names = {"actual": _("actual"), "predicted": _("predicted")}
    series = frame.rename(columns=names).melt("time", list(names.values()), var_name="series",
                                              value_name="benzene")
    return alt.Chart(series).mark_line(strokeWidth=1).encode(
        x=alt.X("time:T", title=None), y=alt.Y("benzene:Q", title=_("benzene (µg/m³)")),
        color=alt.Color("series:N", title=None, legend=alt.Legend(orient="top")),
        strokeDash=alt.StrokeDash("series:N", title=None),
        tooltip=[alt.Tooltip("time:T", title=_("time")),
                 alt.Tooltip("series:N", title=_("series")),
                 alt.Tooltip("benzene:Q", format=".2f", title=_("benzene (µg/m³)"))],
    ).interactive(bind_y=False)


def residuals_chart(frame: pd.DataFrame) -> alt.Chart:
    return alt.Chart(frame).mark_bar().encode(
        x=alt.X("residual:Q", bin=alt.Bin(maxbins=60), title=_("predicted − actual (µg/m³)")),
        y=alt.Y("count():Q", title=_("hours"))).properties(title=_("Residuals"))


def key_sensor_chart(train: pd.DataFrame) -> alt.Chart:
    """Benzene against the key sensor, one dot per training hour."""
    hours = pd.DataFrame({"s2": train[KEY_SENSOR], "benzene": train[data.TARGET]})
    return alt.Chart(hours).mark_circle(size=8, opacity=0.4).encode(
        x=alt.X("s2:Q", title=KEY_SENSOR, scale=alt.Scale(zero=False)),
        y=alt.Y("benzene:Q", title=_("benzene (µg/m³)")),
    ).properties(title=_("Training hours: benzene against sensor S2"))


def loss_chart(history: pd.DataFrame, epochs: int) -> alt.Chart:
    """Training and validation √loss (µg/m³) by epoch, log scale, x axis fixed to `epochs`."""
    names = {"training": _("training"), "validation": _("validation")}
    long = history.rename(columns=names).melt("epoch", list(names.values()), var_name="split",
                                              value_name="rmse")
    return alt.Chart(long).mark_line(point=True).encode(
        x=alt.X("epoch:Q", title=_("epoch"), scale=alt.Scale(domain=[1, max(epochs, 2)]),
                axis=alt.Axis(tickMinStep=1, format="d")),
        y=alt.Y("rmse:Q", title=_("√loss (µg/m³)"), scale=alt.Scale(type="log")),
        color=alt.Color("split:N", title=None))
