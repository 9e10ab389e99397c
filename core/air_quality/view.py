"""What the Regression page shows: slider values, sweeps, comparisons, a student's own run,
and every chart of the page (pure Altair: no Streamlit here)."""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence

import altair as alt
import numpy as np
import pandas as pd

from core.air_quality import data
from core.air_quality.model import KEY_SENSOR, EpochHook, build, fit, metrics, not_computed, predict
from core.air_quality.training import BenzeneCard

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


def comparison(cards: Mapping[str, BenzeneCard]) -> pd.DataFrame:
    """One row per model or baseline, from the shipped cards (no training on page load)."""
    rows = []

    def add(name, inputs, cleaning, split, scored_on, m):
        rows.append({"model": name, "inputs": inputs, "missing values": cleaning,
                     "split": split, "scored on": scored_on, "rows": m["rows"],
                     "RMSE (µg/m³)": m["rmse"], "MAE (µg/m³)": m["mae"], "R²": m["r2"]})

    chrono, val = "chronological", "Nov–Dec 2004"
    for kind, card in cards.items():
        n = len(card.inputs)
        base = card.baselines
        if "book_recipe" in base:
            recipe = base["book_recipe"]
            add("book's recipe", 12, "-200 left in", "random 70/30",
                "its own test rows (with -200 targets)", recipe["test_all_rows"])
            add("book's recipe", 12, "-200 left in", "random 70/30",
                "its test rows that have a reading", recipe["test_rows_with_reading"])
        if "linear" in base:
            add("least squares", n, "training means", chrono, val, base["linear"])
        if "book_network_clean" in base:
            add(f"book's network ({n}→8→1)", n, "training means", chrono, val,
                base["book_network_clean"])
        add(f"shipped: {kind}", n, "training means", chrono, val, card.validation)
    return pd.DataFrame(rows)


def not_computed_lines(scores: Sequence[Mapping]) -> list[str]:
    """One sentence per metric that some row of `scores` could not compute, and why."""
    why = {name: reason for row in scores for name, reason in not_computed(row).items()}
    labels = {"rmse": "RMSE", "mae": "MAE", "r2": "R²"}
    return [f"{labels[name]} cannot be computed for this file: {reason}."
            for name, reason in why.items()]


def validation_frame(model, frame: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    """time, actual, predicted and residual for the validation months."""
    _, validation = data.split(frame)
    pred = predict(model, validation, columns)
    actual = validation[data.TARGET].to_numpy()
    return pd.DataFrame({"time": validation.index, "actual": actual, "predicted": pred,
                         "residual": pred - actual})


# Starting learning rates (cosine-decayed) that make a 20-epoch run worthwhile for each.
LEARNING_RATES = {"adam": 1e-2, "rmsprop": 3e-3, "sgd": 3e-2, "adagrad": 3e-2}


def train_your_own(frame: pd.DataFrame, columns: Sequence[str], *, units: int, epochs: int,
                   optimizer: str, initializer: str, curve_branch: bool,
                   on_epoch: EpochHook | None = None) -> dict:
    """A small run on the same split as the shipped models; its history and validation score.

    The history is reported as RMSE in µg/m³ (√MSE × the target's spread) so that it reads
    like the shipped model's validation figure.
    """
    train, validation = data.split(frame)
    model = build(columns, train, units=(units,), activation="relu", initializer=initializer,
                  key_branch=curve_branch)
    spread = float(model.get_layer("benzene").scale)

    def report(epoch: int, logs: dict) -> None:
        if on_epoch:
            on_epoch(epoch, {k: float(np.sqrt(v)) * spread for k, v in logs.items()})

    started = time.perf_counter()
    history = fit(model, columns, train, validation, epochs=epochs, batch_size=32,
                  optimizer=optimizer, learning_rate=LEARNING_RATES[optimizer], on_epoch=report)
    seconds = time.perf_counter() - started
    curves = pd.DataFrame({"epoch": np.arange(1, len(history["loss"]) + 1),
                           "training": np.sqrt(history["loss"]) * spread,
                           "validation": np.sqrt(history["val_loss"]) * spread})
    score = metrics(validation[data.TARGET].to_numpy(), predict(model, validation, columns))
    return {"history": curves, "validation": score, "seconds": seconds,
            "parameters": int(model.count_params())}


# --- charts ---------------------------------------------------------------------------------------

def benzene_cdf_chart(percentiles: Sequence[float], prediction: float) -> alt.Chart:
    """The share of 2004's hours below each benzene level, the prediction as a red rule."""
    cdf = pd.DataFrame({"benzene": percentiles,
                        "share of hours below (%)": range(len(percentiles))})
    return (alt.Chart(cdf).mark_line().encode(
        x=alt.X("benzene", title="benzene (µg/m³)"), y="share of hours below (%)")
        + alt.Chart(pd.DataFrame({"benzene": [prediction]})).mark_rule(color="red", size=2)
        .encode(x="benzene"))


def sweep_chart(curve: pd.DataFrame, column: str, value: float, prediction: float) -> alt.Chart:
    """The sweep's curve (`sweep`'s frame) and today's inputs as a red dot."""
    # Vega-Lite reads dots in field names as paths ("PT08.S2"): chart a plain "value" column.
    curve = curve.rename(columns={column: "value"})
    here = pd.DataFrame({"value": [value], "benzene": [prediction]})
    return (alt.Chart(curve).mark_line().encode(
        x=alt.X("value:Q", title=f"{column} ({data.DESCRIPTIONS[column][1]})",
                scale=alt.Scale(zero=False)),
        y=alt.Y("benzene:Q", title="predicted benzene (µg/m³)"))
        + alt.Chart(here).mark_point(color="red", size=80, filled=True).encode(
            x="value:Q", y="benzene:Q"))


def validation_chart(frame: pd.DataFrame) -> alt.Chart:
    """Actual and predicted benzene over the validation months (`validation_frame`'s frame)."""
    series = frame.melt("time", ["actual", "predicted"], var_name="series", value_name="benzene")
    return alt.Chart(series).mark_line(strokeWidth=1).encode(
        x=alt.X("time:T", title=None), y=alt.Y("benzene:Q", title="benzene (µg/m³)"),
        color=alt.Color("series:N", legend=alt.Legend(orient="top")),
        strokeDash="series:N", tooltip=["time:T", "series:N", "benzene:Q"],
    ).interactive(bind_y=False)


def residuals_chart(frame: pd.DataFrame) -> alt.Chart:
    return alt.Chart(frame).mark_bar().encode(
        x=alt.X("residual:Q", bin=alt.Bin(maxbins=60), title="predicted − actual (µg/m³)"),
        y=alt.Y("count():Q", title="hours")).properties(title="Residuals")


def key_sensor_chart(train: pd.DataFrame) -> alt.Chart:
    """Benzene against the key sensor, one dot per training hour."""
    hours = pd.DataFrame({"s2": train[KEY_SENSOR], "benzene": train[data.TARGET]})
    return alt.Chart(hours).mark_circle(size=8, opacity=0.4).encode(
        x=alt.X("s2:Q", title=KEY_SENSOR, scale=alt.Scale(zero=False)),
        y=alt.Y("benzene:Q", title="benzene (µg/m³)"),
    ).properties(title="Training hours: benzene against sensor S2")


def loss_chart(history: pd.DataFrame, epochs: int) -> alt.Chart:
    """Training and validation √loss (µg/m³) by epoch, log scale, x axis fixed to `epochs`."""
    long = history.melt("epoch", var_name="split", value_name="RMSE")
    return alt.Chart(long).mark_line(point=True).encode(
        x=alt.X("epoch:Q", scale=alt.Scale(domain=[1, max(epochs, 2)]),
                axis=alt.Axis(tickMinStep=1, format="d")),
        y=alt.Y("RMSE:Q", title="√loss (µg/m³)", scale=alt.Scale(type="log")),
        color="split:N")


def training_work(frame: pd.DataFrame, inputs: str, **settings):
    """`train_your_own` on the input set `inputs` as work for the server's shared queue
    (`core.jobs`): it reports each epoch with the curves so far, and stops when asked to."""
    epochs = settings["epochs"]

    def work(job) -> dict:
        seen = []

        def on_epoch(epoch: int, logs: dict) -> None:
            job.check()
            seen.append({"epoch": epoch + 1, "training": logs["loss"],
                         "validation": logs["val_loss"]})
            job.report((epoch + 1) / epochs, f"Epoch {epoch + 1} of {epochs}",
                       preview=pd.DataFrame(seen))

        own = train_your_own(frame, data.FEATURE_SETS[inputs], on_epoch=on_epoch, **settings)
        return {**own, "inputs": inputs}
    return work
