"""What the Regression page shows: sweeps, percentiles, comparisons, a student's own run."""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from core.air_quality import data
from core.air_quality.model import EpochHook, build, fit, metrics, predict

# Steps for the tuning sliders, in each column's unit.
STEPS = {"CO(GT)": 0.1, "NMHC(GT)": 1.0, "NOx(GT)": 1.0, "NO2(GT)": 1.0, "T": 0.1, "RH": 0.1,
         "AH": 0.01}
SENSOR_STEP = 1.0  # the PT08.* sensor responses are whole numbers


def slider_step(column: str) -> float:
    return STEPS.get(column, SENSOR_STEP)


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


def percentile_of(value: float, percentiles: Sequence[float]) -> float:
    """Share (0–100) of the recorded hours whose benzene was below `value`."""
    table = np.asarray(percentiles, dtype="float64")
    return float(np.interp(value, table, np.arange(len(table)) * 100 / (len(table) - 1)))


def comparison(cards: Mapping[str, dict]) -> pd.DataFrame:
    """One row per model or baseline, from the shipped cards (no training on page load)."""
    rows = []

    def add(name, inputs, cleaning, split, scored_on, m):
        rows.append({"model": name, "inputs": inputs, "missing values": cleaning,
                     "split": split, "scored on": scored_on, "rows": m["rows"],
                     "RMSE (µg/m³)": m["rmse"], "MAE (µg/m³)": m["mae"], "R²": m["r2"]})

    chrono, val = "chronological", "Nov–Dec 2004"
    for kind, card in cards.items():
        n = len(card["inputs"])
        base = card.get("baselines", {})
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
        add(f"shipped: {kind}", n, "training means", chrono, val, card["metrics"]["validation"])
    return pd.DataFrame(rows)


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
