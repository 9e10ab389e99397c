"""The book's Lambda-layer example: a model whose output is the Euclidean distance of its inputs.

The book writes the distance with the Keras 2 backend (`K.sqrt(K.sum(K.square(x - y)))`);
Keras 3 spells the same calls `keras.ops`, which run on any backend.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import keras
import numpy as np
from keras import layers, ops

from core.i18n import _


def euclidean_distance(pair):
    """sqrt(sum((x - y)²)) over the last axis, one distance per row."""
    x, y = pair
    return ops.sqrt(ops.sum(ops.square(x - y), axis=-1, keepdims=True))


def build_distance_model(size: int) -> keras.Model:
    """Two vectors in, their distance out, through a Lambda layer written as a Python lambda
    (the usual way): Keras saves the lambda's bytecode, which is why safe mode refuses it."""
    x = keras.Input(shape=(size,), name="x")
    y = keras.Input(shape=(size,), name="y")
    distance = layers.Lambda(lambda pair: euclidean_distance(pair), output_shape=(1,),
                             name="euclidean_distance")([x, y])
    return keras.Model([x, y], distance, name="distance_model")


def model_distance(model: keras.Model, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Distances of row pairs (a single vector pair is a batch of one), computed by the model."""
    x, y = np.atleast_2d(x).astype("float32"), np.atleast_2d(y).astype("float32")
    return ops.convert_to_numpy(model([x, y]))[:, 0]


def relative_difference(a: float, b: float) -> float:
    """|a − b| relative to b (the reference), safe when b is 0."""
    return abs(a - b) / max(abs(b), 1e-12)


def numpy_distance(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    x, y = np.atleast_2d(x).astype("float64"), np.atleast_2d(y).astype("float64")
    return np.linalg.norm(x - y, axis=-1)


def parse_vector(text: str) -> np.ndarray:
    """Numbers separated by commas or spaces; ValueError with a message for the user."""
    parts = text.replace(",", " ").split()
    if not parts:
        raise ValueError(_("Type at least one number."))
    try:
        values = np.array([float(p) for p in parts])
    except ValueError:
        bad = next(p for p in parts if not _is_number(p))
        raise ValueError(_("{value} is not a number.", value=repr(bad))) from None
    if not np.all(np.isfinite(values)):
        raise ValueError(_("Use finite numbers (no inf or nan)."))
    if np.abs(values).max() > 1e6:
        raise ValueError(_("Keep the numbers within ±1,000,000."))
    return values


MAX_LENGTH = 64  # numbers per vector on the page


def pair_problem(x: np.ndarray, y: np.ndarray) -> str | None:
    """What keeps two vectors from having a distance on the page, for the user; None: fine."""
    if len(x) != len(y):
        return _("x has {nx} numbers and y has {ny}: a distance needs two vectors of the same "
                 "length.", nx=len(x), ny=len(y))
    if len(x) > MAX_LENGTH:
        return _("Keep the vectors to {limit} numbers or fewer.", limit=MAX_LENGTH)
    return None


def _is_number(text: str) -> bool:
    try:
        float(text)
        return True
    except ValueError:
        return False


def safe_mode_refusal(model: keras.Model) -> str | None:
    """Save the model as .keras and load it back in safe mode: the error Keras raises, or None
    if it loaded."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"{model.name}.keras"
        model.save(path)
        try:
            keras.saving.load_model(path, safe_mode=True)
        except ValueError as err:
            return str(err)
    return None
