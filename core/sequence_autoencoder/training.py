"""Train the shipped day autoencoders, measure them, and write model + card.

Training data: every 24-hour window (any start hour, every second hour) of March–October 2004
whose 192 readings are all present, so the model learns what a day *looks like* rather than
how the file fills gaps; plus a copy of each with every channel drifted (a random offset and
gain), because winter readings leave the summer's range. Each window is also shown with a
stuck sensor and with a spike, the clean window as target (a denoising autoencoder): the model
learns to rebuild the real curve under a fault, so the fault stands out in the error.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

import keras
import numpy as np
import pandas as pd

from core import cards, datasets
from core.air_quality import data
from core.sequence_autoencoder import faults, scoring, windows
from core.sequence_autoencoder.model import build

SEED = 15
ASSETS = cards.ASSETS / "sequence_autoencoder"


@dataclass(frozen=True)
class Recipe:
    """How a shipped day autoencoder is trained: `fit`'s arguments, recorded in its card."""

    epochs: int = 15
    batch_size: int = 64
    optimizer: str = "adam"
    learning_rate: float = 3e-3  # cosine decay to 2% of it over the run
    seed: int = SEED
    stride_hours: int = 2  # hours between the starts of two training windows
    drift_offset_sd: float = 0.5  # a drifted copy's random offset per channel, in sds
    drift_log_gain_sd: float = 0.15  # ... and the sd of its log-scale
    denoising: bool = True  # each window also stuck and spiked, the clean one as target


@dataclass(frozen=True)
class DaysCard(cards.Card):
    model: str = ""
    code_size: int = 0
    channels: list[str] = field(default_factory=list)
    stats: dict = field(default_factory=dict)  # windows.Stats.to_json()
    baseline_profile: list = field(default_factory=list)
    typical_surprise: list[float] = field(default_factory=list)
    fault_units: dict = field(default_factory=dict)  # scoring.FaultUnits.to_json()
    split: dict = field(default_factory=dict)
    days: list[dict] = field(default_factory=list)  # date, mse, peak, missing: every day
    unusual_days: list[dict] = field(default_factory=list)


def shipped_paths(code: int, folder: Path = ASSETS) -> tuple[Path, Path]:
    return folder / f"days_code{code}.keras", folder / f"days_code{code}.json"


def training_windows(frame: pd.DataFrame, stride: int = Recipe.stride_hours) -> np.ndarray:
    """(n, 24, 8) fully observed 24-hour windows of the training months, raw units."""
    period = frame[(frame.index >= windows.TRAIN_START) & (frame.index < windows.VALIDATION_START)]
    hourly = period[list(windows.CHANNELS)].asfreq("h")  # a missing row becomes NaN
    x = hourly.to_numpy("float32")
    starts = [i for i in range(0, len(x) - windows.HOURS + 1, stride)
              if not np.isnan(x[i:i + windows.HOURS]).any()]
    return np.stack([x[i:i + windows.HOURS] for i in starts])


def drifted(x: np.ndarray, stats: windows.Stats, seed: int,
            recipe: Recipe = Recipe()) -> np.ndarray:
    """Each window with each channel shifted and scaled at random around its training mean."""
    rng = np.random.default_rng(seed)
    shape = (len(x), 1, len(windows.CHANNELS))
    gain = np.exp(rng.normal(0, recipe.drift_log_gain_sd, shape))
    offset = rng.normal(0, recipe.drift_offset_sd, shape) * stats.std
    return ((x - stats.mean) * gain + stats.mean + offset).astype("float32")


def fit(model: keras.Model, sample: np.ndarray, stats: windows.Stats, recipe: Recipe, *,
        validation: windows.Days | None = None, verbose: int = 2):
    """Denoising fit: clean, stuck and spiked copies of each window (and of a drifted copy)
    in, the clean one out."""
    seed = recipe.seed
    clean = np.concatenate([sample, drifted(sample, stats, seed + 2, recipe)])
    x, y = clean, stats.normalize(clean)
    if recipe.denoising:
        broken = faults.inject(clean, stats, seed=seed + 1)
        x = np.concatenate([clean, broken["stuck"], broken["spike"]])
        y = np.concatenate([y] * 3)
    x = scoring.model_input(x)
    steps = math.ceil(len(x) / recipe.batch_size) * recipe.epochs
    rate = keras.optimizers.schedules.CosineDecay(recipe.learning_rate, steps, alpha=0.02)
    model.compile(keras.optimizers.get({"class_name": recipe.optimizer,
                                        "config": {"learning_rate": rate}}), loss="mse")
    keras.utils.set_random_seed(seed)
    val = None
    if validation is not None:
        val = (scoring.model_input(validation.x), stats.normalize(validation.x))
    return model.fit(x, y, validation_data=val, epochs=recipe.epochs,
                     batch_size=recipe.batch_size, shuffle=True, verbose=verbose)


def train_and_ship(code: int, *, data_dir=None, recipe: Recipe = Recipe(),
                   out_dir: Path = ASSETS, command: str | None = None,
                   log: Callable[[str], None] = print) -> DaysCard:
    seed = recipe.seed
    source = datasets.locate("air-quality", data_dir)
    frame = data.parse(source)
    all_days = windows.days(frame)
    train, val = windows.split(all_days)
    stats = windows.Stats.of(train)
    profile = windows.mean_profile(train, stats)
    clean_windows = training_windows(frame, recipe.stride_hours)
    log(f"code {code}: {len(clean_windows)} training windows ({len(train)} days), "
        f"{len(val)} validation days, {recipe.epochs} epochs")

    model = build(code, stats, seed=seed)
    started = time.perf_counter()
    history = fit(model, clean_windows, stats, recipe, validation=val)
    seconds = time.perf_counter() - started

    clean_train = train.x[train.missing_share() == 0]
    typical = day_typical(model, clean_train, stats)
    units = scoring.FaultUnits.of(model, clean_train, stats)
    validation = scoring.measure(model, val, stats, profile)
    found = fault_figures(model, train, val, stats, typical, units)
    log(f"code {code}: validation mse {validation['mse']:.4f} (baseline "
        f"{validation['baseline_mse']:.4f}), faults found {found} after {seconds:.0f} s")

    model_path, card_path = shipped_paths(code, Path(out_dir))
    model_path.parent.mkdir(parents=True, exist_ok=True)
    shipped = build(code, stats, name=model.name)  # uncompiled: no optimizer state
    shipped.set_weights(model.get_weights())
    shipped.save(model_path)
    residual = scoring.residuals(model, all_days.x, stats)
    day_scores, day_peaks = scoring.scores(residual ** 2), scoring.peaks(residual, typical)
    day_faults = scoring.fault_score(stats.normalize(all_days.x), residual, units)
    one_day = np.zeros((1, windows.HOURS, len(windows.CHANNELS)), np.float32)
    every_day = np.zeros((len(all_days), windows.HOURS, len(windows.CHANNELS)), np.float32)
    return cards.write_card(
        card_path, DaysCard,
        command=command or cards.training_command(),
        data_sha256={"air_quality/AirQualityUCI.csv": datasets.sha256_of(source)},
        metrics={"validation": validation, "train": scoring.measure(model, train, stats, profile),
                 "faults": found},
        model="days",
        code_size=code,
        channels=list(windows.CHANNELS),
        stats=stats.to_json(),
        baseline_profile=profile.round(4).tolist(),
        typical_surprise=typical.round(6).tolist(),
        fault_units=units.to_json(),
        split={"train": [train.dates[0].date().isoformat(), train.dates[-1].date().isoformat()],
               "validation": [val.dates[0].date().isoformat(),
                              val.dates[-1].date().isoformat()],
               "training_windows": len(clean_windows)},
        days=[{"date": d.date().isoformat(), "mse": round(float(s), 4),
               "peak": round(float(p), 2), "fault": round(float(f), 3),
               "missing": round(float(m), 3)}
              for d, s, p, f, m in zip(all_days.dates, day_scores, day_peaks, day_faults,
                                       all_days.missing_share(), strict=True)],
        unusual_days=scoring.unusual_days(all_days, residual, stats),
        faults={"stuck_hours": list(faults.STUCK_HOURS), "spike_sd": faults.SPIKE,
                "seed": faults.FAULT_SEED},
        training=asdict(recipe),
        val_loss_history=[round(v, 5) for v in history.history["val_loss"]],
        training_seconds=round(seconds, 1),
        parameters=int(model.count_params()),
        latency_ms=round(cards.latency_ms(lambda: model.predict_on_batch(one_day)), 2),
        batch_ms=round(cards.latency_ms(lambda: model.predict_on_batch(every_day)), 1),
        attribution="UCI Air Quality, De Vito et al. (2008), CC BY 4.0",
    )


def fault_figures(model: keras.Model, train: windows.Days, val: windows.Days,
                  stats: windows.Stats, typical: np.ndarray, units: scoring.FaultUnits) -> dict:
    """The card's "faults" metrics: detection on the fully observed validation days (with every
    score's values, for the page), and on training days (faults drawn afresh): how much of a
    miss is the winter months' drift rather than the faults' size."""
    found = scoring.detection(model, val.x[val.missing_share() == 0], stats, typical, units)
    on_training = scoring.detection(model, train.x[train.missing_share() == 0], stats, typical,
                                    units)
    for score in ("mse", "peak", "fault"):  # the card keeps the validation scores only
        on_training[score].pop("scores")
    return {**found, "on_training_days": on_training}


def refresh(code: int, *, data_dir=None, folder: Path = ASSETS) -> DaysCard:
    """Recompute what a shipped model's card derives from the model and the data, without
    training (the same model, data and seed as training): the fault units, fault figures and
    per-day fault scores, and the unusual days with what the data shows about them. Only those
    card fields are rewritten: scoring and notes can change with no retraining."""
    model, card = load_shipped(code, folder)
    stats, _, typical = card_stats(card)
    all_days = windows.days(data.load(data_dir))
    train, val = windows.split(all_days)
    units = scoring.FaultUnits.of(model, train.x[train.missing_share() == 0], stats)
    residual = scoring.residuals(model, all_days.x, stats)
    day_faults = scoring.fault_score(stats.normalize(all_days.x), residual, units)
    fault = {d.date().isoformat(): round(float(f), 3)
             for d, f in zip(all_days.dates, day_faults, strict=True)}
    card = replace(card, fault_units=units.to_json(),
                   metrics={**card.metrics,
                            "faults": fault_figures(model, train, val, stats, typical, units)},
                   days=[{**{k: v for k, v in d.items() if k != "missing"},
                          "fault": fault[d["date"]], "missing": d["missing"]}
                         for d in card.days],
                   unusual_days=scoring.unusual_days(all_days, residual, stats))
    shipped_paths(code, folder)[1].write_text(json.dumps(card.to_json(), indent=2) + "\n")
    return card


def day_typical(model: keras.Model, clean: np.ndarray, stats: windows.Stats) -> np.ndarray:
    """Each channel's mean squared one-hour surprise on fully observed training days."""
    return scoring.typical_surprise(scoring.residuals(model, clean, stats))


def load_shipped(code: int = 16, folder: Path = ASSETS) -> tuple:
    """(model, card) of a shipped day autoencoder; FileNotFoundError with a fix if absent.
    (Importing `model` registers FillMissing, which its files use.)"""
    return cards.load_shipped(shipped_paths(code, folder)[0], DaysCard,
                              rebuild=f"python -m core train sequence-autoencoder --code {code}")


def card_units(card: DaysCard) -> scoring.FaultUnits:
    return scoring.FaultUnits.from_json(card.fault_units)


def card_stats(card: DaysCard) -> tuple[windows.Stats, np.ndarray, np.ndarray]:
    """(normalization, baseline profile, typical one-hour surprises) as the card has them."""
    return (windows.Stats.from_json(card.stats),
            np.asarray(card.baseline_profile, "float32"),
            np.asarray(card.typical_surprise, "float32"))


def score_days(model: keras.Model, card: DaysCard, days: windows.Days) -> dict:
    """The evaluate command's answer for these days: windows, mse, baseline_mse, worst_days
    (each with what the data shows about it)."""
    stats, profile, _ = card_stats(card)
    result = scoring.measure(model, days, stats, profile)
    rebuilt = scoring.rebuild(model, days.x)
    index = {d.date().isoformat(): i for i, d in enumerate(days.dates)}
    for worst in result["worst_days"]:
        i = index[worst["date"]]
        worst["notes"] = scoring.describe(days.dates[i], days.x[i], rebuilt[i], stats,
                                          worst["mse"]).notes
    return {**result, "skipped_days": days.skipped}


def score_file(model: keras.Model, card: dict, path=None, data_dir=None) -> dict:
    """Score every complete day of a UCI-format file (default: the validation months)."""
    if path is None:
        days = windows.split(windows.days(data.load(data_dir)))[1]
    else:
        days = windows.days(data.parse(path))
    return score_days(model, card, days)
