"""Faults injected into clean days, to check that the anomaly score finds them.

A *stuck* sensor holds its last good reading for 6 to 12 hours; a *spike* adds ±SPIKE training
standard deviations to one reading. Both act on raw readings, as a broken device would.
"""

from __future__ import annotations

import numpy as np

from core.sequence_autoencoder.windows import CHANNELS, HOURS, Stats

STUCK_HOURS = (6, 12)
SPIKE = 4.0
FAULT_SEED = 15


def stuck(day: np.ndarray, channel: int, start: int, hours: int) -> np.ndarray:
    """The day with `channel` frozen at its reading of hour `start` for `hours` hours."""
    out = day.copy()
    out[start:start + hours, channel] = day[start, channel]
    return out


def spike(day: np.ndarray, channel: int, hour: int, size: float) -> np.ndarray:
    """The day with `size` (raw units, signed) added to one reading."""
    out = day.copy()
    out[hour, channel] += size
    return out


def inject(clean: np.ndarray, stats: Stats, seed: int = FAULT_SEED,
           spike_sd: float = SPIKE) -> dict[str, np.ndarray]:
    """{"stuck": days, "spike": days}: one random fault of each kind per clean day."""
    rng = np.random.default_rng(seed)
    stuck_days, spike_days = [], []
    for day in clean:
        channel = int(rng.integers(len(CHANNELS)))
        hours = int(rng.integers(STUCK_HOURS[0], STUCK_HOURS[1] + 1))
        stuck_days.append(stuck(day, channel, int(rng.integers(HOURS - hours + 1)), hours))
        channel = int(rng.integers(len(CHANNELS)))
        size = float(rng.choice([-1, 1]) * spike_sd * stats.std[channel])
        spike_days.append(spike(day, channel, int(rng.integers(HOURS)), size))
    return {"stuck": np.stack(stuck_days), "spike": np.stack(spike_days)}


def departure(clean: np.ndarray, broken: np.ndarray, stats: Stats) -> np.ndarray:
    """Per day, how far the fault moved the furthest reading (training standard deviations)."""
    return np.abs(stats.normalize(broken) - stats.normalize(clean)).max(axis=(1, 2))
