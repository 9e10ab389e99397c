"""Rebuild days with a day autoencoder, score them, and say what the data shows about a day.

Scores are in normalized units (training-split standard deviations, squared): a day's *score*
is the mean squared error over its 24 × 8 readings, as the model sees them (missing readings
filled with the training mean). The *baseline* rebuilds every day as the training split's mean
daily profile. A day's *peak* is its largest one-hour surprise: a reading's error minus the
mean error of the hours either side (so a day-long offset or a slow drift counts for little),
squared, in units of that channel's typical training value. A short fault raises the peak long
before it moves the day's mean.
"""

from __future__ import annotations

from dataclasses import dataclass

import keras
import numpy as np
import pandas as pd

from core.sequence_autoencoder import faults
from core.sequence_autoencoder.windows import CHANNELS, Days, Stats, squared_errors

JUMP = 2.5  # an hour-to-hour change larger than this many training sds is worth a note
MISSING_MARK = -200.0  # what the model is fed for a missing reading (the file's own marker)
# Italian public holidays of 2004–2005 that fall on weekdays or change traffic.
HOLIDAYS = {
    "2004-04-11": "Easter Sunday", "2004-04-12": "Easter Monday", "2004-04-25": "Liberation Day",
    "2004-05-01": "Labour Day", "2004-06-02": "Republic Day", "2004-08-15": "Ferragosto",
    "2004-11-01": "All Saints' Day", "2004-12-08": "Immaculate Conception",
    "2004-12-24": "Christmas Eve", "2004-12-25": "Christmas Day", "2004-12-26": "St Stephen's Day",
    "2004-12-31": "New Year's Eve", "2005-01-01": "New Year's Day", "2005-01-06": "Epiphany",
    "2005-03-27": "Easter Sunday", "2005-03-28": "Easter Monday",
}


def model_input(x: np.ndarray) -> np.ndarray:
    """Raw readings with NaN marked -200, as the file has them (the model fills both)."""
    return np.nan_to_num(np.asarray(x, "float32"), nan=MISSING_MARK)


def rebuild(model: keras.Model, x: np.ndarray) -> np.ndarray:
    """(days, 24, 8) rebuilt days in normalized units."""
    if len(x) == 0:
        return np.zeros((0, *x.shape[1:]), "float32")
    return np.asarray(model.predict_on_batch(model_input(x)), "float32")


def residuals(model: keras.Model, x: np.ndarray, stats: Stats) -> np.ndarray:
    """(days, 24, 8) what the model sees minus what it rebuilds, normalized units."""
    return stats.normalize(x) - rebuild(model, x)


def day_errors(model: keras.Model, x: np.ndarray, stats: Stats) -> np.ndarray:
    return squared_errors(stats.normalize(x), rebuild(model, x))


def scores(errors: np.ndarray) -> np.ndarray:
    """Each day's mean squared error."""
    return errors.mean(axis=(1, 2))


def surprises(residual: np.ndarray) -> np.ndarray:
    """Squared one-hour surprises: each error minus the mean of its neighbours' (the first and
    last hour count their one neighbour twice)."""
    padded = np.pad(residual, ((0, 0), (1, 1), (0, 0)), mode="edge")
    return (residual - (padded[:, :-2] + padded[:, 2:]) / 2) ** 2


def typical_surprise(residual: np.ndarray) -> np.ndarray:
    """Each channel's mean squared surprise (the peak's unit)."""
    return surprises(residual).mean(axis=(0, 1))


def peaks(residual: np.ndarray, typical: np.ndarray) -> np.ndarray:
    """Each day's largest one-hour surprise, over its channel's typical (training) one."""
    return (surprises(residual) / typical).max(axis=(1, 2))


def measure(model: keras.Model, days: Days, stats: Stats, profile: np.ndarray,
            worst: int = 5) -> dict:
    """{"windows", "mse", "baseline_mse", "worst_days"} over every day given."""
    errors = day_errors(model, days.x, stats)
    per_day = scores(errors)
    baseline = squared_errors(stats.normalize(days.x), profile[None])
    order = np.argsort(per_day)[::-1][:worst]
    return {"windows": len(days), "mse": round(float(errors.mean()), 5),
            "baseline_mse": round(float(baseline.mean()), 5),
            "worst_days": [{"date": days.dates[i].date().isoformat(),
                            "mse": round(float(per_day[i]), 4)} for i in order]}


def detection(model: keras.Model, clean: np.ndarray, stats: Stats, typical: np.ndarray,
              seed: int = faults.FAULT_SEED) -> dict:
    """Share of faulty days scoring above the 99th percentile of the clean days, by score:
    for the standard faults, for spikes twice as large, and for the stuck faults that moved
    some reading at least one standard deviation away from the truth."""
    clean_residual = residuals(model, clean, stats)
    broken = faults.inject(clean, stats, seed)
    broken["spike_x2"] = faults.inject(clean, stats, seed, 2 * faults.SPIKE)["spike"]
    visible = faults.departure(clean, broken["stuck"], stats) >= 1.0
    residual = {kind: residuals(model, x, stats) for kind, x in broken.items()}
    out = {"clean_days": len(clean), "stuck_visible_share": round(float(visible.mean()), 3)}
    for name, score in (("mse", lambda r: scores(r ** 2)),
                        ("peak", lambda r: peaks(r, typical))):
        clean_scores = score(clean_residual)
        threshold = float(np.percentile(clean_scores, 99))
        by_kind = {kind: score(r) for kind, r in residual.items()}
        found = {kind: values > threshold for kind, values in by_kind.items()}
        out[name] = {"threshold": round(threshold, 4),
                     **{k: round(float(v.mean()), 3) for k, v in found.items()},
                     "stuck_visible": round(float(found["stuck"][visible].mean()), 3)
                     if visible.any() else None,
                     "standard": round(float(np.mean([found["stuck"].mean(),
                                                      found["spike"].mean()])), 3),
                     "scores": {kind: np.round(values, 4).tolist() for kind, values in
                                {"clean": clean_scores, **by_kind}.items()}}
    return out


def break_day(model: keras.Model, day: np.ndarray, stats: Stats, typical: np.ndarray,
              kind: str, channel: int, hour: int) -> dict:
    """One day before and after a fault of `kind` ("stuck" from `hour` on, or "spike" at
    `hour`) in `channel`: what was done, and both days' peak and mean error."""
    name = CHANNELS[channel]
    if kind == "stuck":
        hours = min(faults.STUCK_HOURS[1], len(day) - hour)
        broken = faults.stuck(day, channel, hour, hours)
        what = f"{name} stuck for {hours} hours from {hour}:00"
    else:
        broken = faults.spike(day, channel, hour, faults.SPIKE * float(stats.std[channel]))
        what = f"a spike of +{faults.SPIKE:g} sd in {name} at {hour}:00"
    residual = residuals(model, np.stack([day, broken]), stats)
    (peak_before, peak_after) = peaks(residual, typical)
    (mse_before, mse_after) = scores(residual ** 2)
    return {"what": what, "peak_before": float(peak_before), "peak_after": float(peak_after),
            "mse_before": float(mse_before), "mse_after": float(mse_after)}


@dataclass(frozen=True)
class DayReport:
    date: str
    score: float
    notes: list[str]
    worst_channel: str


def describe(date: pd.Timestamp, x: np.ndarray, rebuilt: np.ndarray, stats: Stats,
             score: float) -> DayReport:
    """What the data shows about one day: outages, flat runs, holidays, level shifts."""
    notes = []
    day = date.date().isoformat()
    if day in HOLIDAYS:
        notes.append(f"public holiday ({HOLIDAYS[day]}): little traffic")
    elif date.dayofweek >= 5:
        notes.append(f"{date.day_name()}: weekend traffic")
    missing = np.isnan(x).sum(axis=0)
    gone = [c for c, n in zip(CHANNELS, missing, strict=True) if n == len(x)]
    if len(gone) == len(CHANNELS):
        notes.append("no readings at all: the device was off (the model sees flat means)")
    elif gone:
        notes.append(f"no readings from {', '.join(gone)} all day")
    elif missing.any():
        notes.append(f"{int(missing.max())} hour(s) without readings (filled with means)")
    for c, run in zip(CHANNELS, _longest_flat_runs(x), strict=True):
        if run >= 6 and c not in gone:
            notes.append(f"{c} repeats the same value for {run} hours: stuck?")
    z = stats.normalize(x)
    jumps = np.abs(np.diff((x - stats.mean) / stats.std, axis=0))  # NaN where a reading is gone
    if np.nanmax(jumps, initial=0) > JUMP:
        hour, c = np.unravel_index(np.nanargmax(jumps), jumps.shape)
        notes.append(f"{CHANNELS[c]} jumps from {x[hour, c]:.4g} to {x[hour + 1, c]:.4g} "
                     f"between {hour}:00 and {hour + 1}:00")
    error = ((z - rebuilt) ** 2).mean(axis=0)
    worst = int(np.argmax(error))
    shift = float((z[:, worst] - rebuilt[:, worst]).mean())
    if abs(shift) > 0.5 and not missing[worst]:
        notes.append(f"{CHANNELS[worst]} reads {'higher' if shift > 0 else 'lower'} than the "
                     f"model expects all day ({abs(shift):.1f} sd): drift or an unusual level")
    level = np.nanmean(z[:, :5]) if not np.isnan(x[:, :5]).all() else 0.0
    if abs(level) > 1.5:
        notes.append(f"the five sensors read {'far above' if level > 0 else 'far below'} "
                     "their training average")
    if not notes:
        notes.append(f"{CHANNELS[worst]} has the largest error; nothing else stands out")
    return DayReport(day, round(float(score), 4), notes, CHANNELS[worst])


def _longest_flat_runs(x: np.ndarray) -> list[int]:
    """Per channel, the longest run of hours repeating the same (present) reading."""
    runs = []
    for column in x.T:
        best = current = 1
        for a, b in zip(column[:-1], column[1:], strict=True):
            current = current + 1 if a == b and not np.isnan(a) else 1
            best = max(best, current)
        runs.append(best if not np.isnan(column).all() else 0)
    return runs
