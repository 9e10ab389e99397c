"""Train a shipped benzene model, measure it and its baselines, and write model + card."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from core import cards, datasets
from core.air_quality import baselines, data
from core.air_quality.model import SEED, build, evaluate, fit, timed_latency

MODELS = {  # shipped model -> what it is for
    "all": "all 12 readings, as in the book (analyzers, sensors, weather)",
    "sensors": "only what a cheap device measures: sensors S1–S5, T, RH, AH",
}
EPOCHS = 150
ASSET_DIR = cards.asset_path("air_quality")


def shipped_paths(kind: str, folder: Path = ASSET_DIR) -> tuple[Path, Path]:
    return folder / f"{kind}.keras", folder / f"{kind}.json"


def train_and_ship(kind: str, *, data_dir=None, epochs: int = EPOCHS, seed: int = SEED,
                   out_dir: Path = ASSET_DIR, command: str | None = None,
                   with_baselines: bool = True, log: Callable[[str], None] = print) -> dict:
    """Train model `kind` on March–October 2004, validate on November–December; its card."""
    columns = data.FEATURE_SETS[kind]
    source = datasets.locate("air-quality", data_dir)
    frame = data.parse(source)
    train, validation = data.split(frame)
    log(f"{kind}: {len(train)} training rows, {len(validation)} validation rows")

    model = build(columns, train, seed=seed, name=f"benzene_{kind}")
    started = time.perf_counter()
    fit(model, columns, train, epochs=epochs, seed=seed)
    seconds = time.perf_counter() - started
    val = evaluate(model, validation, columns)
    log(f"{kind}: validation RMSE {val['rmse']:.4f} µg/m³ after {seconds:.0f} s")

    extra = {}
    if with_baselines:
        log("baselines: least squares, the book's network on clean data, the book's recipe")
        extra["baselines"] = {
            "linear": baselines.linear(train, validation, columns),
            "book_network_clean": baselines.book_network_clean(train, validation, columns, seed),
        }
        if kind == "all":
            extra["baselines"]["book_recipe"] = baselines.book_recipe(frame, seed)

    model_path, card_path = shipped_paths(kind, Path(out_dir))
    model_path.parent.mkdir(parents=True, exist_ok=True)
    model.save(model_path)
    known = data.with_target(frame)
    return cards.write_card(
        card_path,
        command=command or cards.training_command(),
        data_sha256={"air_quality/AirQualityUCI.csv": datasets.sha256_of(source)},
        metrics={"validation": val, "train": evaluate(model, train, columns)},
        model=kind,
        description=MODELS[kind],
        inputs=list(columns),
        split={"train": [str(train.index.min()), str(train.index.max())],
               "validation": [str(validation.index.min()), str(validation.index.max())]},
        imputation=data.imputation_values(train, columns),
        ranges=data.input_ranges(known, data.ALL_INPUTS),
        benzene_percentiles=np.nanpercentile(known[data.TARGET], np.arange(101)).tolist(),
        presets=data.presets(frame),
        training={"epochs": epochs, "batch_size": 64, "optimizer": "adam",
                  "learning_rate": "3e-3, cosine decay", "seed": seed},
        training_seconds=round(seconds, 1),
        parameters=int(model.count_params()),
        latency_ms=round(timed_latency(model, len(columns)), 2),
        **extra,
    )


def load_shipped(kind: str, folder: Path = ASSET_DIR):
    """(model, card) of a shipped model; FileNotFoundError names the missing file."""
    import keras  # FillMissing is registered: this module imports core.air_quality.model

    model_path, card_path = shipped_paths(kind, folder)
    for path in (model_path, card_path):
        if not path.exists():
            raise FileNotFoundError(f"{path} is missing: run `python -m core train air-quality "
                                    f"--model {kind}`")
    return keras.saving.load_model(model_path), cards.read_card(card_path)
