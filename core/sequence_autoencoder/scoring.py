"""Rebuild days with a day autoencoder, score them, and say what the data shows about a day.

Scores are in normalized units (training-split standard deviations, squared): a day's *score*
is the mean squared error over its 24 × 8 readings, as the model sees them (missing readings
filled with the training mean). The *baseline* rebuilds every day as the training split's mean
daily profile. A day's *peak* is its largest one-hour surprise: a reading's error minus the
mean error of the hours either side (so a day-long offset or a slow drift counts for little),
squared, in units of that channel's typical training value. A short fault raises the peak long
before it moves the day's mean.

A day's *fault score* compares movement rather than values, the two ways a broken sensor
departs from the rebuilt day: *stillness*, over every 6-hour stretch of a channel, the log of
how much the rebuilt curve moves over how much the reading moves (a stuck sensor holds still
while the decoder, reading the other channels, rebuilds the day's normal movement); and
*stick-out*, how far one reading's error stands out from both neighbours' errors, in the same
direction (a spike; a real level jump stands out from one side only). Each is divided by its
channel's 99th percentile on clean training days (first and last hours, which have one
neighbour, by their own), and the day scores the larger of the two, at its worst.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import keras
import numpy as np
import pandas as pd

from core.i18n import N_, _
from core.sequence_autoencoder import faults
from core.sequence_autoencoder.windows import CHANNELS, Days, Stats, squared_errors

JUMP = 2.5  # an hour-to-hour change larger than this many training sds is worth a note
MISSING_MARK = -200.0  # what the model is fed for a missing reading (the file's own marker)
# Italian public holidays of 2004–2005 that fall on weekdays or change traffic.
STILL_HOURS = faults.STUCK_HOURS[0]  # a stretch as long as the shortest stuck fault
MOVEMENT_FLOOR = 1e-3  # of a channel's typical rebuilt movement: keeps stillness finite
HOLIDAYS = {
    "2004-04-11": N_("Easter Sunday"), "2004-04-12": N_("Easter Monday"),
    "2004-04-25": N_("Liberation Day"), "2004-05-01": N_("Labour Day"),
    "2004-06-02": N_("Republic Day"), "2004-08-15": N_("Ferragosto"),
    "2004-11-01": N_("All Saints' Day"), "2004-12-08": N_("Immaculate Conception"),
    "2004-12-24": N_("Christmas Eve"), "2004-12-25": N_("Christmas Day"),
    "2004-12-26": N_("St Stephen's Day"), "2004-12-31": N_("New Year's Eve"),
    "2005-01-01": N_("New Year's Day"), "2005-01-06": N_("Epiphany"),
    "2005-03-27": N_("Easter Sunday"), "2005-03-28": N_("Easter Monday"),
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


def movement(z: np.ndarray) -> np.ndarray:
    """(days, 24 - STILL_HOURS + 1, 8): each stretch's summed hour-to-hour change, per channel."""
    change = np.cumsum(np.pad(np.abs(np.diff(z, axis=1)), ((0, 0), (1, 0), (0, 0))), axis=1)
    return change[:, STILL_HOURS - 1:] - change[:, :1 - STILL_HOURS]


def stillness(z: np.ndarray, rebuilt: np.ndarray, floor: np.ndarray) -> np.ndarray:
    """Per stretch and channel, log(rebuilt movement / the input's movement): large where the
    model expects movement that the reading lacks."""
    return np.log((movement(rebuilt) + floor) / (movement(z) + floor))


def stick_outs(residual: np.ndarray) -> np.ndarray:
    """Per reading, how far its error stands out from both neighbours' errors (the smaller of
    the two gaps; 0 unless both point the same way). The first and last hours have one."""
    padded = np.pad(residual, ((0, 0), (1, 1), (0, 0)), constant_values=np.nan)
    left, right = residual - padded[:, :-2], residual - padded[:, 2:]
    left, right = np.where(np.isnan(left), right, left), np.where(np.isnan(right), left, right)
    return np.where(left * right > 0, np.minimum(np.abs(left), np.abs(right)), 0.0)


@dataclass(frozen=True)
class FaultUnits:
    """The fault score's units, per channel, from clean training days: `floor` (the stillness
    guard), 99th percentiles of stillness and of stick-out (inside the day; first/last hour)."""
    floor: np.ndarray
    still: np.ndarray
    stick_inside: np.ndarray
    stick_edge: np.ndarray

    @classmethod
    def of(cls, model: keras.Model, clean: np.ndarray, stats: Stats) -> FaultUnits:
        z = stats.normalize(clean)
        residual = z - rebuild(model, clean)
        floor = MOVEMENT_FLOOR * movement(z - residual).mean(axis=(0, 1))
        stick = stick_outs(residual)
        return cls(floor, np.percentile(stillness(z, z - residual, floor), 99, axis=(0, 1)),
                   np.percentile(stick[:, 1:-1], 99, axis=(0, 1)),
                   np.percentile(stick[:, [0, -1]], 99, axis=(0, 1)))

    def to_json(self) -> dict:
        return {k: np.round(v, 6).tolist() for k, v in asdict(self).items()}

    @classmethod
    def from_json(cls, raw: dict) -> FaultUnits:
        return cls(**{k: np.asarray(v, "float32") for k, v in raw.items()})


def fault_score(z: np.ndarray, residual: np.ndarray, units: FaultUnits) -> np.ndarray:
    """Each day's fault score: its worst stillness or stick-out, in training units."""
    stick_unit = np.repeat(units.stick_inside[None], z.shape[1], axis=0)
    stick_unit[[0, -1]] = units.stick_edge
    still = stillness(z, z - residual, units.floor) / units.still
    return np.maximum(still.max(axis=(1, 2)), (stick_outs(residual) / stick_unit).max(axis=(1, 2)))


def fault_scores(model: keras.Model, x: np.ndarray, stats: Stats,
                 units: FaultUnits) -> np.ndarray:
    z = stats.normalize(x)
    return fault_score(z, z - rebuild(model, x), units)


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
              units: FaultUnits, seed: int = faults.FAULT_SEED) -> dict:
    """Share of faulty days scoring above the 99th percentile of the clean days, by score
    (mse, peak, fault):
    for the standard faults, for spikes twice as large, and for the stuck faults that moved
    some reading at least one standard deviation away from the truth."""
    broken = faults.inject(clean, stats, seed)
    broken["spike_x2"] = faults.inject(clean, stats, seed, 2 * faults.SPIKE)["spike"]
    visible = faults.departure(clean, broken["stuck"], stats) >= 1.0
    z = {kind: stats.normalize(x) for kind, x in {"clean": clean, **broken}.items()}
    residual = {kind: residuals(model, x, stats) for kind, x in {"clean": clean, **broken}.items()}
    out = {"clean_days": len(clean), "stuck_visible_share": round(float(visible.mean()), 3)}
    for name, score in (("mse", lambda k: scores(residual[k] ** 2)),
                        ("peak", lambda k: peaks(residual[k], typical)),
                        ("fault", lambda k: fault_score(z[k], residual[k], units))):
        clean_scores = score("clean")
        threshold = float(np.percentile(clean_scores, 99))
        by_kind = {kind: score(kind) for kind in broken}
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
              units: FaultUnits, kind: str, channel: int, hour: int) -> dict:
    """One day before and after a fault of `kind` ("stuck" from `hour` on, or "spike" at
    `hour`) in `channel`: what was done (channel, hour, and hours stuck or the spike's sds),
    and both days' fault score, peak and mean error."""
    what = {"channel": CHANNELS[channel], "hour": hour}
    if kind == "stuck":
        what["hours"] = min(faults.STUCK_HOURS[1], len(day) - hour)
        broken = faults.stuck(day, channel, hour, what["hours"])
    else:
        what["sd"] = faults.SPIKE
        broken = faults.spike(day, channel, hour, faults.SPIKE * float(stats.std[channel]))
    both = np.stack([day, broken])
    residual = residuals(model, both, stats)
    (fault_before, fault_after) = fault_score(stats.normalize(both), residual, units)
    (peak_before, peak_after) = peaks(residual, typical)
    (mse_before, mse_after) = scores(residual ** 2)
    return {"what": what, "fault_before": float(fault_before), "fault_after": float(fault_after),
            "peak_before": float(peak_before), "peak_after": float(peak_after),
            "mse_before": float(mse_before), "mse_after": float(mse_after)}


@dataclass(frozen=True)
class DayReport:
    date: str
    score: float
    notes: list[dict]  # `note`s: kept as data, so that each is shown in the reader's language
    worst_channel: str


def note(text: str, **values) -> dict:
    """One thing the data shows about a day, as data: its English template (marked N_ where it
    is written) and the values that fill it."""
    return {"text": text, "values": values}


def note_text(said: dict) -> str:
    """A note in the current language; its words (a holiday's name) translated too, readings'
    names and numbers as they are."""
    values = {k: _(v) if isinstance(v, str) else v for k, v in said["values"].items()}
    return _(said["text"], **values)


def describe(date: pd.Timestamp, x: np.ndarray, rebuilt: np.ndarray, stats: Stats,
             score: float) -> DayReport:
    """What the data shows about one day: outages, flat runs, holidays, level shifts."""
    notes = []
    day = date.date().isoformat()
    if day in HOLIDAYS:
        notes.append(note(N_("public holiday ({holiday}): little traffic"),
                          holiday=HOLIDAYS[day]))
    elif date.dayofweek == 5:
        notes.append(note(N_("Saturday: weekend traffic")))
    elif date.dayofweek == 6:
        notes.append(note(N_("Sunday: weekend traffic")))
    missing = np.isnan(x).sum(axis=0)
    gone = [c for c, n in zip(CHANNELS, missing, strict=True) if n == len(x)]
    if len(gone) == len(CHANNELS):
        notes.append(note(N_("no readings at all: the device was off (the model sees flat "
                             "means)")))
    elif gone:
        notes.append(note(N_("no readings from {channels} all day"), channels=", ".join(gone)))
    elif missing.any():
        notes.append(note(N_("{hours} hour(s) without readings (filled with means)"),
                          hours=int(missing.max())))
    for c, run in zip(CHANNELS, _longest_flat_runs(x), strict=True):
        if run >= 6 and c not in gone:
            notes.append(note(N_("{channel} repeats the same value for {hours} hours: stuck?"),
                              channel=c, hours=run))
    z = stats.normalize(x)
    jumps = np.abs(np.diff((x - stats.mean) / stats.std, axis=0))  # NaN where a reading is gone
    if np.nanmax(jumps, initial=0) > JUMP:
        hour, c = np.unravel_index(np.nanargmax(jumps), jumps.shape)
        notes.append(note(N_("{channel} jumps from {before:.4g} to {after:.4g} between "
                             "{hour}:00 and {next}:00"), channel=CHANNELS[c],
                          before=float(x[hour, c]), after=float(x[hour + 1, c]),
                          hour=int(hour), next=int(hour + 1)))
    error = ((z - rebuilt) ** 2).mean(axis=0)
    worst = int(np.argmax(error))
    shift = float((z[:, worst] - rebuilt[:, worst]).mean())
    if abs(shift) > 0.5 and not missing[worst]:
        notes.append(note(N_("{channel} reads higher than the model expects all day ({sd:.1f} "
                             "sd): drift or an unusual level") if shift > 0 else
                          N_("{channel} reads lower than the model expects all day ({sd:.1f} "
                             "sd): drift or an unusual level"),
                          channel=CHANNELS[worst], sd=abs(shift)))
    level = np.nanmean(z[:, :5]) if not np.isnan(x[:, :5]).all() else 0.0
    if abs(level) > 1.5:
        notes.append(note(N_("the five sensors read far above their training average")
                          if level > 0 else
                          N_("the five sensors read far below their training average")))
    if not notes:
        notes.append(note(N_("{channel} has the largest error; nothing else stands out"),
                          channel=CHANNELS[worst]))
    return DayReport(day, round(float(score), 4), notes, CHANNELS[worst])


def unusual_days(days: Days, residual: np.ndarray, stats: Stats, count: int = 12) -> list[dict]:
    """The `count` days with the largest errors, largest first, each with what the data shows
    about it (`DayReport`, as a dict)."""
    scored = scores(residual ** 2)
    rebuilt = stats.normalize(days.x) - residual
    return [asdict(describe(days.dates[i], days.x[i], rebuilt[i], stats, scored[i]))
            for i in np.argsort(scored)[::-1][:count]]


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
