"""The code every backend worker runs: the same Keras code, whatever the backend.

Each case takes JSON-friendly arguments and returns named NumPy arrays, so that the app can
compare the backends number by number. The inputs are drawn here from a seed, with NumPy, so
that every backend sees exactly the same numbers.
"""

from __future__ import annotations

import functools
import importlib
import importlib.util
from collections.abc import Callable
from pathlib import Path

import keras
import numpy as np
from keras import ops

from core.backends import book, steps
from core.cards import ASSETS

Outputs = dict[str, np.ndarray]


class Unsupported(Exception):
    """This backend cannot run the case at all (not a failure: a fact about the backend)."""


# --- the book's Euclidean distance, as a Lambda layer -------------------------------------------

def distance_inputs(seed: int, rows: int = 4, size: int = 3) -> tuple[np.ndarray, np.ndarray]:
    """The book's `measure_model`: two rows × size matrices of random digits 0–8."""
    rng = np.random.default_rng(seed)
    return (rng.integers(0, 9, (rows, size)).astype("float32"),
            rng.integers(0, 9, (rows, size)).astype("float32"))


@functools.lru_cache(maxsize=8)
def _distance_model(size: int) -> keras.Model:
    from core.customizing.distance import build_distance_model

    return build_distance_model(size)


def distance(seed: int = 0, rows: int = 4, size: int = 3) -> Outputs:
    x, y = distance_inputs(seed, rows, size)
    return {"distance": ops.convert_to_numpy(_distance_model(size)([x, y]))}


# --- the book's Local Response Normalization custom layer (and the lab's two other LRNs) ------

def lrn_inputs(seed: int, side: int = 225) -> np.ndarray:
    """The book's test input, `np.random.randn(225, 225, 3)`, as a batch of one."""
    return np.random.default_rng(seed).normal(size=(1, side, side, 3)).astype("float32")


@functools.cache
def _lrn_layers() -> dict[str, keras.layers.Layer]:
    from core.customizing import lrn

    return {"book": lrn.LocalResponseNormalization(),  # the book's settings, all three
            "channel_sum": lrn.ChannelSumLRN(), "across_channel": lrn.AcrossChannelLRN()}


def lrn(seed: int = 0, side: int = 225) -> Outputs:
    x = lrn_inputs(seed, side)
    return {name: ops.convert_to_numpy(layer(x)) for name, layer in _lrn_layers().items()}


# --- every shipped model, on a fixed batch -------------------------------------------------------

def shipped_models() -> list[str]:
    """Every `.keras` file under assets/, as a path relative to it."""
    return sorted(str(p.relative_to(ASSETS)) for p in ASSETS.rglob("*.keras"))


# The page offers one model per topic (the command line checks them all): each model a worker
# runs costs its first click a compilation, and the worker some memory, for as long as it runs.
PAGE_MODELS = ("air_quality/all.keras", "autoencoder/mnist_conv.keras", "babi/task1.keras",
               "sequence_autoencoder/days_code16.keras", "sequence_autoencoder/sentences.keras",
               "dream/squeezenet_v1_1.keras")


@functools.lru_cache(maxsize=64)
def load_shipped(name: str) -> keras.Model:
    """A shipped model in safe mode; its topic's `model` module registers its custom layers
    (core/README.md: importing `core.<topic>.model` registers them)."""
    path = (ASSETS / name).resolve()
    if path.suffix != ".keras" or ASSETS.resolve() not in path.parents or not path.exists():
        raise ValueError(f"{name!r} is not a shipped model")
    topic = f"core.{Path(name).parts[0]}.model"
    if importlib.util.find_spec(topic) is not None:
        try:
            importlib.import_module(topic)
        except ModuleNotFoundError as err:
            # A topic whose training is TensorFlow's own (the GAN's `train_step`) registers no
            # layer: its shipped networks are plain Keras and load on any backend.
            if err.name != "tensorflow":
                raise
    return keras.saving.load_model(path, compile=False, safe_mode=True)


def fixed_batch(net: keras.Model, seed: int, batch: int = 4, side: int = 64) -> list[np.ndarray]:
    """Inputs of the right shape and type, drawn from `seed`: numbers in [0, 1) (sizes left
    open, such as an image's, are `side`), and word ids below the smallest vocabulary."""
    rng = np.random.default_rng(seed)
    vocab = min((layer.input_dim for layer in _layers(net)
                 if isinstance(layer, keras.layers.Embedding)), default=10)
    batch_inputs = []
    for spec in net.inputs:
        shape = (batch, *(side if n is None else n for n in spec.shape[1:]))
        if "int" in str(spec.dtype):
            batch_inputs.append(rng.integers(0, vocab, shape).astype(spec.dtype))
        else:
            batch_inputs.append(rng.uniform(0, 1, shape).astype("float32"))
    return batch_inputs


def _layers(net: keras.Model):
    """Every layer, those of nested models (an encoder inside an autoencoder) included."""
    for layer in net.layers:
        yield layer
        if isinstance(layer, keras.Model):
            yield from _layers(layer)


def model(name: str, seed: int = 0) -> Outputs:
    net = load_shipped(name)
    batch = fixed_batch(net, seed)
    outputs = net.predict_on_batch(batch if len(batch) > 1 else batch[0])
    outputs = outputs if isinstance(outputs, (list, tuple)) else [outputs]
    return {f"output_{i}": np.asarray(out) for i, out in enumerate(outputs)}


# --- the book's K.* lines as keras.ops ----------------------------------------------------------

def book_lines(seed: int = 0) -> Outputs:
    return book.run_lines(seed)


# --- Deep Dream's gradient-ascent step, per backend ---------------------------------------------

DREAM_LAYERS = tuple(f"fire{n}_concat" for n in range(2, 10))


@functools.lru_cache(maxsize=len(DREAM_LAYERS))
def _gradient(layer: str):
    """This backend's gradient function for the layer's loss (core.backends.steps)."""
    net = load_shipped("dream/squeezenet_v1_1.keras")
    features = keras.Model(net.input, net.get_layer(layer).output)
    features.trainable = False  # gradients with respect to the image only
    return steps.GRADIENTS[keras.backend.backend()](features)


def dream_image(side: int = 96) -> np.ndarray:
    """The shipped photo (Chelsea the cat), `side` pixels wide, as a [-1, 1] batch of one."""
    from PIL import Image

    with Image.open(ASSETS / "dream" / "chelsea.jpg") as photo:
        photo = photo.convert("RGB")
        height = round(photo.height * side / photo.width)
        pixels = np.asarray(photo.resize((side, height), Image.Resampling.LANCZOS))
    return (pixels.astype("float32") / 127.5 - 1.0)[None]


def dream_step(layer: str = "fire5_concat", iterations: int = 3,
               step_size: float = 0.01) -> Outputs:
    """The book's loop: `iterations` gradient-ascent steps on the photo, with this backend's
    own step (`core.backends.steps`)."""
    if layer not in DREAM_LAYERS:
        raise ValueError(f"{layer!r} is not one of {', '.join(DREAM_LAYERS)}")
    if keras.backend.backend() not in steps.GRADIENTS:
        raise Unsupported(steps.NO_AUTODIFF)
    gradient, image, losses = _gradient(layer), dream_image(), []
    for _ in range(iterations):
        loss, grads = gradient(image)
        image = ops.convert_to_numpy(steps.ascend(image, grads, step_size))
        losses.append(float(ops.convert_to_numpy(loss)))
    return {"image": image[0], "losses": np.asarray(losses, "float32")}


CASES: dict[str, Callable[..., Outputs]] = {
    "distance": distance, "lrn": lrn, "model": model, "book_lines": book_lines,
    "dream_step": dream_step,  # raises Unsupported on a backend without autodiff (NumPy)
}

# What the Backends page asks first: run once when a worker starts for the page.
WARM_UP = (("distance", {"seed": 0}), ("book_lines", {"seed": 0}), ("dream_step", {}),
           ("lrn", {"seed": 0}), ("model", {"name": "air_quality/all.keras", "seed": 0}))
