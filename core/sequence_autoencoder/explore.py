"""Tables the Sequence autoencoders page draws: the calendar, a day's curves, the code sizes."""

from __future__ import annotations

import numpy as np
import pandas as pd

from core.sequence_autoencoder.windows import CHANNELS, HOURS, VALIDATION_START, Stats


def calendar(days: list[dict]) -> pd.DataFrame:
    """One row per day of a card's (or an upload's) `days`: date, week, weekday, split."""
    frame = pd.DataFrame(days)
    dates = pd.to_datetime(frame["date"])
    frame["week"] = (dates - pd.to_timedelta(dates.dt.dayofweek, unit="D")).dt.strftime(
        "%Y-%m-%d")
    frame["weekday"] = dates.dt.day_name().str[:3]
    frame["split"] = np.where(dates >= VALIDATION_START, "validation", "training")
    frame["missing %"] = (100 * frame.get("missing", 0)).round(1)
    return frame


def curves(x_day: np.ndarray, rebuilt: np.ndarray, stats: Stats) -> pd.DataFrame:
    """Long table of one day: hour, channel, actual (raw units, NaN where missing), rebuilt
    (the model's normalized output mapped back to raw units)."""
    raw = rebuilt * stats.std + stats.mean
    hours = np.repeat(np.arange(HOURS), len(CHANNELS))
    channels = np.tile(np.array(CHANNELS), HOURS)
    actual = pd.DataFrame({"hour": hours, "channel": channels, "series": "actual",
                           "value": x_day.reshape(-1)})
    model = pd.DataFrame({"hour": hours, "channel": channels, "series": "rebuilt",
                          "value": raw.reshape(-1)})
    return pd.concat([actual, model], ignore_index=True)


def code_sizes(cards: dict[int, dict]) -> pd.DataFrame:
    """Validation mse by code size, with the mean-profile baseline."""
    return pd.DataFrame([{"code size": code, "validation mse": card["metrics"]["validation"]["mse"],
                          "baseline mse": card["metrics"]["validation"]["baseline_mse"]}
                         for code, card in sorted(cards.items())])


def day_table(dates: pd.DatetimeIndex, scores: np.ndarray, missing: np.ndarray) -> list[dict]:
    """The `days` rows of an upload, in the cards' layout."""
    return [{"date": d.date().isoformat(), "mse": round(float(s), 4),
             "missing": round(float(m), 3)} for d, s, m in zip(dates, scores, missing,
                                                              strict=True)]


def percentile_of(value: float, population) -> float:
    """Share (%) of the population below `value`."""
    population = np.asarray(population, "float64")
    return float(100 * np.mean(population < value)) if len(population) else 0.0
