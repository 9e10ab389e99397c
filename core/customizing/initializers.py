"""The kernel_initializer experiment: what theory predicts about the start, and what only a
run can show about the learning.

A small deep MLP is built once per initializer (every Dense kernel drawn by it, biases zero).
At initialization we record, per layer, the histogram of the activations on a probe batch and
of the loss gradients with respect to the kernels, and each kernel's fan-in and variance (what
Glorot & Bengio 2010 and He et al. 2015 predict the signal's growth from); then a short SGD run
records the training and validation loss. Everything comes back as tidy pandas DataFrames,
ready for Altair.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import keras
import numpy as np
import pandas as pd

from core import mnist

Progress = Callable[[float, str], None]  # (fraction done, what is running)


@dataclass(frozen=True)
class Choice:
    code: str  # what you would pass as kernel_initializer=
    make: Callable[[int], keras.initializers.Initializer]  # seed -> a fresh initializer


CHOICES: dict[str, Choice] = {
    "zeros": Choice('"zeros"', lambda seed: keras.initializers.Zeros()),
    "random_normal (stddev 1)": Choice(
        "RandomNormal(stddev=1.0)", lambda seed: keras.initializers.RandomNormal(0, 1.0, seed)),
    "random_normal (stddev 0.05)": Choice(
        '"random_normal"  # Keras default stddev',
        lambda seed: keras.initializers.RandomNormal(0, 0.05, seed)),
    "random_uniform (±0.05)": Choice(
        '"random_uniform"', lambda seed: keras.initializers.RandomUniform(-0.05, 0.05, seed)),
    "glorot_uniform": Choice('"glorot_uniform"  # the Dense default',
                             lambda seed: keras.initializers.GlorotUniform(seed)),
    "he_normal": Choice('"he_normal"', lambda seed: keras.initializers.HeNormal(seed)),
    "lecun_normal": Choice('"lecun_normal"', lambda seed: keras.initializers.LecunNormal(seed)),
    "orthogonal": Choice('"orthogonal"', lambda seed: keras.initializers.Orthogonal(seed=seed)),
}
DEFAULT_CHOICES = ("zeros", "random_normal (stddev 1)", "random_uniform (±0.05)",
                   "glorot_uniform", "he_normal", "orthogonal")
ACTIVATIONS = ("relu", "tanh")


@dataclass(frozen=True)
class Settings:
    activation: str = "relu"
    depth: int = 5  # hidden layers
    width: int = 64
    steps: int = 300  # SGD steps of the short run
    batch_size: int = 64
    learning_rate: float = 0.05
    momentum: float = 0.9
    log_every: int = 10  # steps per point of the loss curves
    probe_size: int = 512  # images for the histograms at initialization
    bins: int = 30
    validation_share: float = 0.2
    seed: int = 0


@dataclass(frozen=True)
class Experiment:
    histograms: pd.DataFrame  # initializer, layer, kind, bin_start, bin_end, share, zero_share
    # initializer, layer, depth, kind, mean, std, zero_share, activation, fan_in, kernel_var
    layer_stats: pd.DataFrame
    curves: pd.DataFrame  # initializer, step, split, loss
    summary: pd.DataFrame  # initializer, first_loss, final_loss, val_accuracy, diverged, seconds


# --- data ---------------------------------------------------------------------------------------

def load_digits(data_dir=None, limit: int = 5000) -> tuple[np.ndarray, np.ndarray]:
    """The first `limit` MNIST digits (`core.mnist.digits`), flattened for the MLP:
    (N, 784) floats in [0, 1] and int labels."""
    images, labels = mnist.digits(data_dir, limit)
    return images.reshape(len(images), -1).astype(np.float32) / 255, labels.astype(np.int64)


def synthetic_digits(n: int = 5000, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """A stand-in when MNIST is missing: ten random blob 'glyphs' on 28×28, each sample one of
    them shifted by a few pixels with noise added. Learnable, but not digits."""
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:28, 0:28]
    glyphs = np.zeros((10, 28, 28))
    for glyph in glyphs:
        for cy, cx in rng.uniform(7, 21, size=(4, 2)):
            glyph += np.exp(-((yy - cy) ** 2 + (xx - cx) ** 2) / 8)
    glyphs = np.clip(glyphs, 0, 1)
    labels = rng.integers(0, 10, n)
    shifts = rng.integers(-3, 4, size=(n, 2))
    images = np.stack([np.roll(glyphs[c], tuple(s), axis=(0, 1))
                       for c, s in zip(labels, shifts, strict=True)])
    images = np.clip(images + rng.normal(0, 0.5, images.shape), 0, 1)  # about as hard as MNIST
    return images.reshape(n, -1).astype(np.float32), labels.astype(np.int64)


# --- the experiment ---------------------------------------------------------------------------

def build_mlp(choice: str, settings: Settings, inputs: int = 784, classes: int = 10) -> keras.Model:
    """Input → depth × Dense(width, activation) → Dense(classes) logits; every kernel drawn by
    the chosen initializer (a fresh, differently seeded one per layer)."""
    make = CHOICES[choice].make
    x = features = keras.Input(shape=(inputs,), name="pixels")
    for i in range(settings.depth):
        x = keras.layers.Dense(settings.width, activation=settings.activation,
                               kernel_initializer=make(settings.seed + i), name=f"layer_{i + 1}")(x)
    logits = keras.layers.Dense(classes, kernel_initializer=make(settings.seed + settings.depth),
                                name="output")(x)
    return keras.Model(features, logits, name=f"mlp_{settings.activation}")


def run_experiment(x: np.ndarray, y: np.ndarray, choices: Sequence[str] = DEFAULT_CHOICES,
                   settings: Settings = Settings(), progress: Progress | None = None) -> Experiment:
    """Histograms at initialization and a short training run for each initializer."""
    if not choices:
        raise ValueError(f"choose at least one initializer among {list(CHOICES)}")
    parts = []
    for i, choice in enumerate(choices):
        def report(fraction: float, what: str, i=i, choice=choice) -> None:
            if progress:
                progress((i + fraction) / len(choices), f"{choice}: {what}")
        parts.append(run_initializer(x, y, choice, settings, report))
    if progress:
        progress(1.0, "done")
    return merge(parts)


def run_initializer(x: np.ndarray, y: np.ndarray, choice: str, settings: Settings = Settings(),
                    progress: Progress | None = None) -> Experiment:
    """The experiment for one initializer; the same seeded validation split every time."""
    if choice not in CHOICES:
        raise ValueError(f"unknown initializer {choice!r}; known: {list(CHOICES)}")
    order = np.random.default_rng(settings.seed).permutation(len(x))
    n_val = int(len(x) * settings.validation_share)
    val, train = order[:n_val], order[n_val:]
    split = (x[train], y[train], x[val], y[val])
    frames = _one_initializer(choice, settings, split, progress or (lambda *_: None))
    return Experiment(**frames)


def merge(parts: Sequence[Experiment]) -> Experiment:
    """One Experiment from several (one per initializer), rows stacked."""
    return Experiment(**{name: pd.concat([getattr(p, name) for p in parts], ignore_index=True)
                         for name in Experiment.__dataclass_fields__})


def _one_initializer(choice, settings, split, report) -> dict[str, pd.DataFrame]:
    import tensorflow as tf  # gradients are the backend's business: TensorFlow here

    started = time.perf_counter()
    x_train, y_train, x_val, y_val = split
    model = build_mlp(choice, settings, x_train.shape[1], int(y_train.max()) + 1)
    dense = [layer for layer in model.layers if isinstance(layer, keras.layers.Dense)]
    loss_fn = keras.losses.SparseCategoricalCrossentropy(from_logits=True)

    probe_x, probe_y = x_train[:settings.probe_size], y_train[:settings.probe_size]
    with tf.GradientTape() as tape:
        hidden, activations = probe_x, []
        for layer in dense[:-1]:
            hidden = layer(hidden)
            activations.append(hidden)
        probe_loss = loss_fn(probe_y, dense[-1](hidden))
    gradients = tape.gradient(probe_loss, [layer.kernel for layer in dense])
    values = [(layer, "activation", a) for layer, a in zip(dense[:-1], activations, strict=True)]
    values += [(layer, "gradient", g) for layer, g in zip(dense, gradients, strict=True)]
    histograms, stats = [], []
    for layer, kind, tensor in values:
        array = np.asarray(tensor, dtype=np.float64).ravel()
        kernel = np.asarray(layer.kernel, dtype=np.float64)
        histograms.append(_histogram(array, settings.bins).assign(layer=layer.name, kind=kind))
        stats.append({"layer": layer.name, "depth": _depth(layer.name, settings.depth),
                      "kind": kind, "mean": array.mean(), "std": array.std(),
                      "zero_share": float(np.mean(array == 0)),
                      "activation": settings.activation, "fan_in": kernel.shape[0],
                      "kernel_var": kernel.var()})

    curves, first_loss, seconds = _train(model, loss_fn, split, settings, report,
                                         initial_training_loss=float(probe_loss))
    logits = np.asarray(model(x_val, training=False))
    diverged = not np.isfinite(logits).all()  # a NaN has no argmax: no accuracy then
    accuracy = np.nan if diverged else float(np.mean(np.argmax(logits, axis=1) == y_val))
    summary = pd.DataFrame([{
        "initializer": choice, "first_loss": first_loss,
        "final_loss": float(loss_fn(y_val, logits)), "val_accuracy": accuracy,
        "diverged": diverged,
        "train_seconds": seconds, "seconds": time.perf_counter() - started}])
    return {"histograms": pd.concat(histograms, ignore_index=True).assign(initializer=choice),
            "layer_stats": pd.DataFrame(stats).assign(initializer=choice),
            "curves": curves.assign(initializer=choice), "summary": summary}


def _train(model, loss_fn, split, settings, report,
           initial_training_loss: float) -> tuple[pd.DataFrame, float, float]:
    """Plain SGD with momentum for `settings.steps` steps; the mean training loss and the
    validation loss every `log_every` steps. Stops early once the loss is no longer finite.
    Returns the curves, the validation loss before training and the training seconds."""
    import tensorflow as tf

    x_train, y_train, x_val, y_val = split
    optimizer = keras.optimizers.SGD(settings.learning_rate, momentum=settings.momentum)

    @tf.function(reduce_retracing=True)
    def step(x, y):
        with tf.GradientTape() as tape:
            loss = loss_fn(y, model(x, training=True))
        optimizer.apply(tape.gradient(loss, model.trainable_variables), model.trainable_variables)
        return loss

    rng = np.random.default_rng(settings.seed)
    started = time.perf_counter()
    rows, window = [], []
    first_loss = float(loss_fn(y_val, model(x_val, training=False)))
    rows += [(0, "training", initial_training_loss), (0, "validation", first_loss)]
    batches = _batches(len(x_train), settings.batch_size, rng)
    for number in range(1, settings.steps + 1):
        batch = next(batches)
        window.append(float(step(x_train[batch], y_train[batch])))
        if number % settings.log_every == 0 or number == settings.steps:
            val_loss = float(loss_fn(y_val, model(x_val, training=False)))
            rows += [(number, "training", float(np.mean(window))), (number, "validation", val_loss)]
            window = []
            report(number / settings.steps, f"step {number} of {settings.steps}")
            if not np.isfinite(rows[-2][2]):
                break
    curves = pd.DataFrame(rows, columns=["step", "split", "loss"])
    return curves, first_loss, time.perf_counter() - started


def _batches(n: int, size: int, rng: np.random.Generator):
    size = min(size, n)
    while True:
        order = rng.permutation(n)
        for start in range(0, n - size + 1, size):
            yield order[start:start + size]


def _histogram(values: np.ndarray, bins: int) -> pd.DataFrame:
    """Bins over the non-zero values (shares of all values), so that the spike of exact zeros
    (ReLU's negative half, dead units, the zeros initializer) does not hide the rest; the
    zeros' share is in `zero_share`, on every row."""
    nonzero = values[np.isfinite(values) & (values != 0)]
    zero_share = float(np.mean(values == 0)) if values.size else 0.0
    if nonzero.size == 0:  # nothing to bin: one bar-less row keeps the chart's cell
        return pd.DataFrame({"bin_start": [-0.5], "bin_end": [0.5], "share": [np.nan],
                             "zero_share": [zero_share]})
    low, high = nonzero.min(), nonzero.max()
    if high - low < 1e-12 * max(abs(low), 1e-30):  # all equal: one visible bar around the value
        low, high = low - abs(low) / 2, high + abs(high) / 2
    counts, edges = np.histogram(nonzero, bins=bins, range=(low, high))
    return pd.DataFrame({"bin_start": edges[:-1], "bin_end": edges[1:],
                         "share": counts / values.size, "zero_share": zero_share})


def _depth(layer_name: str, hidden_layers: int) -> int:
    return hidden_layers + 1 if layer_name == "output" else int(layer_name.split("_")[1])
