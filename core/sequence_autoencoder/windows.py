"""Days of the UCI Air Quality file as 24 × 8 windows, the training-split statistics, and the
mean-daily-profile baseline.

A *window* is one calendar day, midnight to 23:00, of the eight readings a cheap device makes
(sensors PT08.S1–S5, T, RH, AH) in raw units, NaN where the file says -200. A day is
*complete* when the file has a row for each of its 24 hours; readings inside those rows may be
missing (the model fills them in), but a day with a missing *row* is skipped. The file's clock
has no daylight-saving jumps (one row an hour, always), so an hour of the day is a row's hour.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from core.air_quality import data

CHANNELS = data.SENSOR_INPUTS
HOURS = 24
TRAIN_START = pd.Timestamp("2004-03-01")
VALIDATION_START = data.VALIDATION_START  # November 2004
VALIDATION_END = data.VALIDATION_END  # January 2005, excluded


class NoCompleteDay(data.AirQualityFormatError):
    """The file has no day with all 24 hourly rows."""


@dataclass(frozen=True)
class Days:
    dates: pd.DatetimeIndex  # midnight of each complete day
    x: np.ndarray  # (days, 24, 8) float32, raw units, NaN where missing
    skipped: int = 0  # days that had some rows but not all 24

    def __len__(self) -> int:
        return len(self.dates)

    def select(self, mask) -> Days:
        mask = np.asarray(mask, bool)
        return Days(self.dates[mask], self.x[mask], 0)

    def between(self, start: pd.Timestamp, end: pd.Timestamp) -> Days:
        return self.select((self.dates >= start) & (self.dates < end))

    def missing_share(self) -> np.ndarray:
        """Per day, the share of its 24 × 8 readings that are missing."""
        return np.isnan(self.x).mean(axis=(1, 2))


def days(frame: pd.DataFrame) -> Days:
    """Every complete day of a parsed UCI frame (see `core.air_quality.data.parse`)."""
    frame = frame[~frame.index.duplicated(keep="first")]
    frame = frame[(frame.index.minute == 0) & (frame.index.second == 0)]
    readings = frame.loc[:, list(CHANNELS)]
    counts = readings.groupby(readings.index.normalize()).size()
    complete = counts.index[counts == HOURS]
    if complete.empty:
        raise NoCompleteDay(
            "no day in the file has all 24 hourly rows (00.00.00 to 23.00.00), so there is "
            f"no window to score ({len(counts)} partial day(s) found)")
    keep = readings.index.normalize().isin(complete)
    x = readings[keep].sort_index().to_numpy("float32").reshape(len(complete), HOURS,
                                                                len(CHANNELS))
    return Days(pd.DatetimeIndex(complete.sort_values()), x, int((counts != HOURS).sum()))


def split(all_days: Days) -> tuple[Days, Days]:
    """(training: March–October 2004, validation: November–December 2004), by date."""
    return (all_days.between(TRAIN_START, VALIDATION_START),
            all_days.between(VALIDATION_START, VALIDATION_END))


@dataclass(frozen=True)
class Stats:
    """Each channel's training-split mean and standard deviation over its observed readings."""
    mean: np.ndarray  # (8,)
    std: np.ndarray  # (8,)

    @classmethod
    def of(cls, train: Days) -> Stats:
        flat = train.x.reshape(-1, len(CHANNELS))
        mean, std = np.nanmean(flat, axis=0), np.nanstd(flat, axis=0)
        if np.isnan(mean).any():
            empty = [c for c, m in zip(CHANNELS, mean, strict=True) if np.isnan(m)]
            raise data.AirQualityFormatError(f"no readings to learn from in {', '.join(empty)}")
        return cls(mean.astype("float32"), np.maximum(std, 1e-6).astype("float32"))

    def normalize(self, x: np.ndarray) -> np.ndarray:
        """What the model sees: missing readings filled with the mean (0), then standardized."""
        z = (np.asarray(x, "float32") - self.mean) / self.std
        return np.nan_to_num(z, nan=0.0)

    def to_json(self) -> dict:
        return {c: {"mean": float(m), "std": float(s)}
                for c, m, s in zip(CHANNELS, self.mean, self.std, strict=True)}

    @classmethod
    def from_json(cls, raw: dict) -> Stats:
        return cls(np.array([raw[c]["mean"] for c in CHANNELS], "float32"),
                   np.array([raw[c]["std"] for c in CHANNELS], "float32"))


def mean_profile(train: Days, stats: Stats) -> np.ndarray:
    """The baseline: the training days' mean, per hour of day and channel (24, 8), normalized;
    an hour and channel with no reading at all gets the channel's mean (0)."""
    z = (train.x - stats.mean) / stats.std
    with np.errstate(all="ignore"):
        profile = np.nanmean(z, axis=0)
    return np.nan_to_num(profile, nan=0.0).astype("float32")


def outside_training_range(train: Days, val: Days) -> dict:
    """How far the validation days leave the training days' range, reading by reading, by
    daily means: {"days": validation days with readings, "outside": those with some daily
    mean beyond every training day's, "below"/"above": {channel: such days}}."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # a day without readings: its means NaN
        seen, new = np.nanmean(train.x, axis=1), np.nanmean(val.x, axis=1)
        low, high = np.nanmin(seen, axis=0), np.nanmax(seen, axis=0)
    read = ~np.isnan(new).all(axis=1)
    below, above = new[read] < low, new[read] > high  # NaN compares False: not counted
    return {"days": int(read.sum()), "outside": int((below | above).any(axis=1).sum()),
            "below": {c: int(n) for c, n in zip(CHANNELS, below.sum(axis=0), strict=True)},
            "above": {c: int(n) for c, n in zip(CHANNELS, above.sum(axis=0), strict=True)}}


def squared_errors(target: np.ndarray, rebuilt: np.ndarray) -> np.ndarray:
    """(days, 24, 8) squared errors, normalized units."""
    return (np.asarray(rebuilt, "float32") - np.asarray(target, "float32")) ** 2
