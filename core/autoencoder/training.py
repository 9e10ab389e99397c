"""Train a shipped autoencoder on a fixed split, measure it, and write model + card."""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

import keras
import numpy as np

from core import cards, datasets
from core.autoencoder import data, metrics
from core.autoencoder.model import KINDS, SHAPE, build, code_size, parts

SEED = 28
ASSETS = cards.ASSETS / "autoencoder"
MAX_NOISE = 0.6  # the denoiser learns Gaussian noise of std drawn uniformly up to this
EVAL_NOISE = 0.3  # the denoiser's card reports its error at this noise level
NOISE_SEED = 7
ROTATION = 0.015  # of a full turn: about ±5°
SHIFT = 0.05  # of the side: about ±1.4 px
# (epochs, batch size): 4,500 digits need many passes; the clothes are many, so each model
# sees a fixed subset of them, which keeps every training to a few CPU minutes.
SCHEDULE = {"mnist": (60, 64), "fashion": (12, 128)}
# MNIST epochs by model: the conv model must clear the bar, the side models only illustrate.
MNIST_EPOCHS = {"conv": 100, "denoise": 25, "latent2d": 25}
TRAIN_LIMIT = {"fashion": 12_000}


@dataclass(frozen=True)
class Recipe:
    """How a shipped autoencoder is trained: `fit`'s arguments, recorded as they are in its card."""

    epochs: int
    batch_size: int
    optimizer: str = "adam"
    learning_rate: float = 2e-3  # cosine decay to 2% of it over the run
    seed: int = SEED
    rotation: float = ROTATION  # random rotations, share of a full turn (0: none)
    shift: float = SHIFT  # random shifts, share of the side (0: none)
    max_noise: float = 0.0  # > 0: a denoiser, fed noise of std uniform in [0, max_noise]
    train_limit: int | None = None  # the first this many training images (None: all)


def shipped_recipe(dataset: str, kind: str) -> Recipe:
    """The shipped recipe of a model."""
    epochs, batch = SCHEDULE[dataset]
    if dataset == "mnist":
        epochs = MNIST_EPOCHS.get(kind, epochs)
    return Recipe(epochs, batch, max_noise=MAX_NOISE if kind == "denoise" else 0.0,
                  train_limit=TRAIN_LIMIT.get(dataset))


@dataclass(frozen=True)
class AutoencoderCard(cards.Card):
    dataset: str = ""
    model: str = ""
    description: str = ""
    code_size: int = 0
    eval_noise: float | None = None  # the denoiser's figures are at this noise level
    validation_bce_percentiles: list[float] = field(default_factory=list)  # 0th…100th
    split: dict = field(default_factory=dict)
    val_loss_history: list[float] = field(default_factory=list)
    validation_by_noise: dict[str, dict] = field(default_factory=dict)  # the denoiser's
    code_range: list[list[float]] = field(default_factory=list)  # 2-d codes: 1st–99th pct


def shipped_paths(dataset: str, kind: str, folder: Path = ASSETS) -> tuple[Path, Path]:
    return folder / f"{dataset}_{kind}.keras", folder / f"{dataset}_{kind}.json"


def _pipeline(x: np.ndarray, recipe: Recipe):
    """Shuffled (input, target) batches: small random shifts/rotations, then noise."""
    import tensorflow as tf

    seed = recipe.seed
    jitter = keras.Sequential([
        keras.layers.RandomRotation(recipe.rotation, fill_mode="constant", seed=seed),
        keras.layers.RandomTranslation(recipe.shift, recipe.shift, fill_mode="constant",
                                       seed=seed + 1),
    ])

    def pair(images):
        if recipe.rotation or recipe.shift:
            images = jitter(images, training=True)
        if not recipe.max_noise:
            return images, images
        std = tf.random.uniform((tf.shape(images)[0], 1, 1, 1), 0, recipe.max_noise)
        noisy = images + std * tf.random.normal(tf.shape(images))
        return tf.clip_by_value(noisy, 0, 1), images

    ds = tf.data.Dataset.from_tensor_slices(x).shuffle(len(x), seed=seed)
    return ds.batch(recipe.batch_size).map(pair, num_parallel_calls=2).prefetch(2)


def model_inputs(kind: str, clean: np.ndarray) -> np.ndarray:
    """What the model is measured on: the clean images, or for the denoiser noisy ones."""
    return data.add_noise(clean, EVAL_NOISE, NOISE_SEED) if kind == "denoise" else clean


def measure(model: keras.Model, kind: str, clean: np.ndarray) -> dict:
    output = model.predict(model_inputs(kind, clean), batch_size=256, verbose=0)
    return metrics.summary(clean, output)


def fit(model: keras.Model, kind: str, x_train: np.ndarray, x_val: np.ndarray, recipe: Recipe,
        verbose: int = 2):
    steps = math.ceil(len(x_train) / recipe.batch_size) * recipe.epochs
    rate = keras.optimizers.schedules.CosineDecay(recipe.learning_rate, steps, alpha=0.02)
    optimizer = keras.optimizers.get({"class_name": recipe.optimizer,
                                      "config": {"learning_rate": rate}})
    model.compile(optimizer, loss="binary_crossentropy")
    keras.utils.set_random_seed(recipe.seed)
    val = (model_inputs(kind, x_val), x_val)
    return model.fit(_pipeline(x_train, recipe), validation_data=val, epochs=recipe.epochs,
                     verbose=verbose)


def train_and_ship(dataset: str, kind: str, *, data_dir=None, recipe: Recipe | None = None,
                   out_dir: Path = ASSETS, command: str | None = None,
                   log: Callable[[str], None] = print) -> AutoencoderCard:
    """Train one shipped autoencoder (by default with its shipped recipe); its card."""
    recipe = recipe or shipped_recipe(dataset, kind)
    splits = data.load(dataset, data_dir)
    x_train = data.as_float(splits.x_train[:recipe.train_limit])
    x_val = data.as_float(splits.x_val)
    log(f"{dataset}/{kind}: {len(x_train)} training images, {len(x_val)} validation images, "
        f"{recipe.epochs} epochs")
    model = build(kind, seed=recipe.seed, name=f"{dataset}_{kind}")
    started = time.perf_counter()
    history = fit(model, kind, x_train, x_val, recipe)
    seconds = time.perf_counter() - started
    validation = measure(model, kind, x_val)
    log(f"{dataset}/{kind}: validation {validation} after {seconds:.0f} s")

    model_path, card_path = shipped_paths(dataset, kind, Path(out_dir))
    model_path.parent.mkdir(parents=True, exist_ok=True)
    # Ship the weights without the optimizer's state (Adam's two moments would triple the file).
    shipped = build(kind, name=model.name)  # uncompiled twin (clone_model compiles)
    shipped.set_weights(model.get_weights())
    shipped.save(model_path)
    val_errors = metrics.per_image_bce(x_val, model.predict(model_inputs(kind, x_val),
                                                            verbose=0))
    extra = {}
    if kind == "denoise":
        extra["validation_by_noise"] = {
            str(s): measure_noisy(model, x_val, s) for s in (0.1, 0.3, 0.5)}
    if code_size(kind) == 2:
        codes = parts(model)[0].predict(x_val, verbose=0)
        extra["code_range"] = np.percentile(codes, [1, 99], axis=0).T.round(3).tolist()
    one_image = np.zeros((1, *SHAPE), np.float32)  # as the page asks: a direct call
    return cards.write_card(
        card_path, AutoencoderCard,
        command=command or cards.training_command(),
        data_sha256={name: datasets.sha256_of(p) for name, p in splits.sources.items()},
        metrics={"validation": validation, "train_sample": measure(model, kind, x_train[:2000])},
        dataset=dataset,
        model=kind,
        description=KINDS[kind][1],
        code_size=code_size(kind),
        eval_noise=EVAL_NOISE if kind == "denoise" else None,
        validation_bce_percentiles=np.percentile(val_errors, np.arange(101)).round(5).tolist(),
        split={"validation": len(x_val), "train": len(x_train), "seed": data.SPLIT_SEED},
        training=asdict(recipe),
        val_loss_history=[round(v, 5) for v in history.history["val_loss"]],
        training_seconds=round(seconds, 1),
        parameters=int(model.count_params()),
        latency_ms=round(cards.latency_ms(lambda: model(one_image)), 2),
        **extra,
    )


def measure_noisy(model: keras.Model, clean: np.ndarray, std: float) -> dict:
    output = model.predict(data.add_noise(clean, std, NOISE_SEED), batch_size=256, verbose=0)
    return metrics.summary(clean, output)


def load_shipped(dataset: str, kind: str, folder: Path = ASSETS) -> tuple:
    """(model, card) of a shipped autoencoder; FileNotFoundError with a fix if absent."""
    return cards.load_shipped(
        shipped_paths(dataset, kind, folder)[0], AutoencoderCard,
        rebuild=f"python -m core train autoencoder --dataset {dataset} --model {kind}")
