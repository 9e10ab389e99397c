"""Train a shipped autoencoder on a fixed split, measure it, and write model + card."""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from pathlib import Path

import keras
import numpy as np

from core import cards, datasets
from core.autoencoder import data, metrics
from core.autoencoder.model import KINDS, SHAPE, build, code_size, parts

SEED = 28
ASSET_DIR = cards.asset_path("autoencoder")
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


def schedule(dataset: str, kind: str) -> tuple[int, int]:
    """The shipped (epochs, batch size) of a model."""
    epochs, batch = SCHEDULE[dataset]
    if dataset == "mnist":
        epochs = MNIST_EPOCHS.get(kind, epochs)
    return epochs, batch


def shipped_paths(dataset: str, kind: str, folder: Path = ASSET_DIR) -> tuple[Path, Path]:
    return folder / f"{dataset}_{kind}.keras", folder / f"{dataset}_{kind}.json"


def add_noise(images: np.ndarray, std: float | np.ndarray, seed: int) -> np.ndarray:
    """Images plus Gaussian noise of the given std, clipped back to [0, 1]."""
    rng = np.random.default_rng(seed)
    std = np.reshape(std, (-1,) + (1,) * (images.ndim - 1)) if np.ndim(std) else std
    return np.clip(images + std * rng.standard_normal(images.shape, np.float32), 0, 1)


def _pipeline(x: np.ndarray, *, batch: int, seed: int, augment: bool, denoise: bool):
    """Shuffled (input, target) batches: small random shifts/rotations, then noise."""
    import tensorflow as tf

    jitter = keras.Sequential([
        keras.layers.RandomRotation(ROTATION, fill_mode="constant", seed=seed),
        keras.layers.RandomTranslation(SHIFT, SHIFT, fill_mode="constant", seed=seed + 1),
    ])

    def pair(images):
        if augment:
            images = jitter(images, training=True)
        if not denoise:
            return images, images
        std = tf.random.uniform((tf.shape(images)[0], 1, 1, 1), 0, MAX_NOISE)
        noisy = images + std * tf.random.normal(tf.shape(images))
        return tf.clip_by_value(noisy, 0, 1), images

    ds = tf.data.Dataset.from_tensor_slices(x).shuffle(len(x), seed=seed)
    return ds.batch(batch).map(pair, num_parallel_calls=2).prefetch(2)


def model_inputs(kind: str, clean: np.ndarray) -> np.ndarray:
    """What the model is measured on: the clean images, or for the denoiser noisy ones."""
    return add_noise(clean, EVAL_NOISE, NOISE_SEED) if kind == "denoise" else clean


def measure(model: keras.Model, kind: str, clean: np.ndarray) -> dict:
    output = model.predict(model_inputs(kind, clean), batch_size=256, verbose=0)
    return metrics.summary(clean, output)


def fit(model: keras.Model, kind: str, x_train: np.ndarray, x_val: np.ndarray, *,
        epochs: int, batch: int, seed: int, augment: bool = True, verbose: int = 2):
    steps = math.ceil(len(x_train) / batch) * epochs
    schedule = keras.optimizers.schedules.CosineDecay(2e-3, steps, alpha=0.02)
    model.compile(keras.optimizers.Adam(schedule), loss="binary_crossentropy")
    keras.utils.set_random_seed(seed)
    train = _pipeline(x_train, batch=batch, seed=seed, augment=augment,
                      denoise=kind == "denoise")
    val = (model_inputs(kind, x_val), x_val)
    return model.fit(train, validation_data=val, epochs=epochs, verbose=verbose)


def train_and_ship(dataset: str, kind: str, *, data_dir=None, epochs: int | None = None,
                   seed: int = SEED, out_dir: Path = ASSET_DIR, command: str | None = None,
                   log: Callable[[str], None] = print) -> dict:
    splits = data.load(dataset, data_dir)
    x_train = data.as_float(splits.x_train[:TRAIN_LIMIT.get(dataset)])
    x_val = data.as_float(splits.x_val)
    default_epochs, batch = schedule(dataset, kind)
    epochs = epochs or default_epochs
    log(f"{dataset}/{kind}: {len(x_train)} training images, {len(x_val)} validation images, "
        f"{epochs} epochs")
    model = build(kind, seed=seed, name=f"{dataset}_{kind}")
    started = time.perf_counter()
    history = fit(model, kind, x_train, x_val, epochs=epochs, batch=batch, seed=seed)
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
    return cards.write_card(
        card_path,
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
        training={"epochs": epochs, "batch_size": batch, "optimizer": "adam",
                  "learning_rate": "2e-3, cosine decay", "seed": seed,
                  "augmentation": "rotation ±5°, shift ±1.4 px",
                  "noise": f"gaussian, std uniform in [0, {MAX_NOISE}]"
                  if kind == "denoise" else None},
        val_loss_history=[round(v, 5) for v in history.history["val_loss"]],
        training_seconds=round(seconds, 1),
        parameters=int(model.count_params()),
        latency_ms=round(timed_latency(model), 2),
        **extra,
    )


def measure_noisy(model: keras.Model, clean: np.ndarray, std: float) -> dict:
    output = model.predict(add_noise(clean, std, NOISE_SEED), batch_size=256, verbose=0)
    return metrics.summary(clean, output)


def timed_latency(model: keras.Model, repeats: int = 20) -> float:
    """Median milliseconds to reconstruct one image (model called directly, not predict)."""
    x = np.zeros((1, *SHAPE), np.float32)
    model(x)
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        model(x)
        times.append(time.perf_counter() - start)
    return float(np.median(times) * 1000)


def load_shipped(dataset: str, kind: str, folder: Path = ASSET_DIR):
    """(model, card) of a shipped autoencoder; FileNotFoundError with a fix if absent."""
    model_path, card_path = shipped_paths(dataset, kind, folder)
    if not model_path.exists():
        raise FileNotFoundError(f"{model_path} is missing; train it with `python -m core train "
                                f"autoencoder --dataset {dataset} --model {kind}`")
    return keras.saving.load_model(model_path), cards.read_card(card_path)
