"""Train a shipped benzene model, measure it and its baselines, and write model + card; and a
student's own small run on the same split, as work for the server's shared queue."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from core import cards, datasets
from core.air_quality import baselines, data
from core.air_quality.model import SEED, EpochHook, build, evaluate, fit, metrics, predict
from core.i18n import N_

MODELS = {  # shipped model -> what it is for (marked N_(): the page shows _(MODELS[kind]))
    "all": N_("every reading, as in the book (analyzers, sensors, weather)"),
    "sensors": N_("only what a cheap device measures: sensors S1–S5, T, RH, AH"),
}
ASSETS = cards.ASSETS / "air_quality"


@dataclass(frozen=True)
class Recipe:
    """How a shipped model is trained: `fit`'s arguments, recorded as they are in its card."""

    epochs: int = 150
    batch_size: int = 64
    optimizer: str = "adam"
    learning_rate: float = 3e-3
    constant_lr: bool = False  # False: cosine decay to 1% of the rate over the run
    seed: int = SEED


@dataclass(frozen=True)
class BenzeneCard(cards.Card):
    model: str = ""
    description: str = ""
    inputs: list[str] = field(default_factory=list)
    split: dict = field(default_factory=dict)  # "train"/"validation" -> [first, last] hour
    imputation: dict[str, float] = field(default_factory=dict)  # column -> training mean
    ranges: dict[str, dict] = field(default_factory=dict)  # column -> min, median, max
    benzene_percentiles: list[float] = field(default_factory=list)  # 0th…100th, all hours
    presets: dict[str, dict] = field(default_factory=dict)  # see data.presets
    baselines: dict[str, dict] = field(default_factory=dict)


def shipped_paths(kind: str, folder: Path = ASSETS) -> tuple[Path, Path]:
    return folder / f"{kind}.keras", folder / f"{kind}.json"


def train_and_ship(kind: str, *, data_dir=None, recipe: Recipe = Recipe(),
                   out_dir: Path = ASSETS, command: str | None = None,
                   with_baselines: bool = True, log: Callable[[str], None] = print) -> BenzeneCard:
    """Train model `kind` on March–October 2004, validate on November–December; its card."""
    seed = recipe.seed
    columns = data.FEATURE_SETS[kind]
    source = datasets.locate("air-quality", data_dir)
    frame = data.parse(source)
    train, validation = data.split(frame)
    log(f"{kind}: {len(train)} training rows, {len(validation)} validation rows")

    model = build(columns, train, seed=seed, name=f"benzene_{kind}")
    started = time.perf_counter()
    fit(model, columns, train, **asdict(recipe))
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
    one_row = np.zeros((1, len(columns)), dtype="float32")  # what the tuning panel asks
    return cards.write_card(
        card_path, BenzeneCard,
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
        training=asdict(recipe),
        training_seconds=round(seconds, 1),
        parameters=int(model.count_params()),
        latency_ms=round(cards.latency_ms(lambda: model.predict_on_batch(one_row), 50), 2),
        **extra,
    )


def load_shipped(kind: str, folder: Path = ASSETS) -> tuple:
    """(model, card) of a shipped model; FileNotFoundError names the missing file."""
    return cards.load_shipped(shipped_paths(kind, folder)[0], BenzeneCard,
                              rebuild=f"python -m core train air-quality --model {kind}")


# --- a student's own run ------------------------------------------------------------------

OWN_BATCH = 32  # the batch size of a student's own run
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
    history = fit(model, columns, train, validation, epochs=epochs, batch_size=OWN_BATCH,
                  optimizer=optimizer, learning_rate=LEARNING_RATES[optimizer], on_epoch=report)
    seconds = time.perf_counter() - started
    curves = pd.DataFrame({"epoch": np.arange(1, len(history["loss"]) + 1),
                           "training": np.sqrt(history["loss"]) * spread,
                           "validation": np.sqrt(history["val_loss"]) * spread})
    score = metrics(validation[data.TARGET].to_numpy(), predict(model, validation, columns))
    return {"history": curves, "validation": score, "seconds": seconds,
            "parameters": int(model.count_params())}


def train_your_own_work(frame: pd.DataFrame, inputs: str, **settings):
    """`train_your_own` on the input set `inputs` as work for the server's shared queue
    (`core.jobs`): after each epoch it reports the curves so far (data: the page words it),
    and it stops when asked to."""
    epochs = settings["epochs"]

    def work(job) -> dict:
        seen = []

        def on_epoch(epoch: int, logs: dict) -> None:
            job.check()
            seen.append({"epoch": epoch + 1, "training": logs["loss"],
                         "validation": logs["val_loss"]})
            job.report((epoch + 1) / epochs, "", preview=pd.DataFrame(seen))

        own = train_your_own(frame, data.FEATURE_SETS[inputs], on_epoch=on_epoch, **settings)
        return {**own, "inputs": inputs}
    return work
