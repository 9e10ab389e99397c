"""The book's Keras-2 backend calls (`from keras import backend as K`) beside their Keras 3
spelling, each with a function that runs the Keras 3 code on a small input.

Most `K.*` math moved to `keras.ops` (NumPy-like names, any backend); graph-era helpers
(`K.placeholder`, `K.function`, `K.gradients`) became `keras.Input`, a sub-model and the
backend's own autodiff.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import keras
import numpy as np
from keras import ops

X = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], dtype="float32")
Y = np.array([[1.0, 0.0, 1.0], [0.0, 1.0, 0.0]], dtype="float32")


@dataclass(frozen=True)
class Equivalent:
    book: str  # the Keras 2 backend call, as the book writes it
    keras3: str  # the same in Keras 3
    run: Callable[[np.ndarray, np.ndarray], object]  # runs `keras3` on x and y


def _np(tensor) -> np.ndarray:
    return np.round(ops.convert_to_numpy(tensor), 4)


def _euclidean(x, y):
    return _np(ops.sqrt(ops.sum(ops.square(x - y), axis=1, keepdims=True)))


def _variable(x, _):
    v = keras.Variable(x, name="weights")
    v.assign_add(ops.ones_like(x))
    return _np(v)


def _input(x, _):
    tensor = keras.Input(shape=x.shape[1:])
    return f"KerasTensor, shape {tensor.shape}"


def _sub_model(x, y):
    inputs = keras.Input(shape=(x.shape[1],))
    hidden = keras.layers.Dense(2, activation="relu", kernel_initializer="ones", name="hidden")
    outputs = keras.layers.Dense(1, name="out")(hidden(inputs))
    model = keras.Model(inputs, outputs)
    return _np(keras.Model(model.input, model.get_layer("hidden").output)(x))


def _gradient(x, _):
    import tensorflow as tf  # gradients belong to the backend: TensorFlow here

    variable = tf.Variable(x)
    with tf.GradientTape() as tape:
        loss = tf.reduce_sum(variable ** 2)
    return _np(tape.gradient(loss, variable))


EQUIVALENTS: tuple[Equivalent, ...] = (
    Equivalent("K.sqrt(K.sum(K.square(x - y), axis=1, keepdims=True))",
               "ops.sqrt(ops.sum(ops.square(x - y), axis=1, keepdims=True))", _euclidean),
    Equivalent("K.dot(x, K.transpose(y))", "ops.matmul(x, ops.transpose(y))",
               lambda x, y: _np(ops.matmul(x, ops.transpose(y)))),
    Equivalent("K.mean(x, axis=0)", "ops.mean(x, axis=0)", lambda x, _: _np(ops.mean(x, axis=0))),
    Equivalent("K.max(x, axis=-1)", "ops.max(x, axis=-1)", lambda x, _: _np(ops.max(x, axis=-1))),
    Equivalent("K.concatenate([x, y], axis=-1)", "ops.concatenate([x, y], axis=-1)",
               lambda x, y: _np(ops.concatenate([x, y], axis=-1))),
    Equivalent("K.pow(x, 2)", "ops.power(x, 2)", lambda x, _: _np(ops.power(x, 2))),
    Equivalent("K.clip(x, 2, 5)", "ops.clip(x, 2, 5)", lambda x, _: _np(ops.clip(x, 2, 5))),
    Equivalent("K.softmax(x)", "ops.softmax(x)", lambda x, _: _np(ops.softmax(x))),
    Equivalent("K.repeat_elements(x, 2, axis=1)", "ops.repeat(x, 2, axis=1)",
               lambda x, _: _np(ops.repeat(x, 2, axis=1))),
    Equivalent("K.pool2d(x[None, ..., None], (2, 2), pool_mode='avg')",
               "ops.average_pool(x[None, ..., None], 2, strides=1)",
               lambda x, _: _np(ops.average_pool(x[None, ..., None], 2, strides=1)[0, ..., 0])),
    Equivalent("K.int_shape(x)", "x.shape", lambda x, _: tuple(ops.convert_to_tensor(x).shape)),
    Equivalent("K.epsilon()", "keras.config.epsilon()", lambda *_: keras.config.epsilon()),
    Equivalent("K.image_data_format()", "keras.config.image_data_format()",
               lambda *_: keras.config.image_data_format()),
    Equivalent("v = K.variable(x); K.eval(v + 1)",
               "v = keras.Variable(x); v.assign_add(ops.ones_like(x))", _variable),
    Equivalent("K.placeholder(shape=(None, 3))", "keras.Input(shape=(3,))", _input),
    Equivalent("K.function([model.input], [layer.output])([x])",
               "keras.Model(model.input, layer.output)(x)", _sub_model),
    Equivalent("K.gradients(K.sum(v ** 2), v)",
               "with tf.GradientTape() as tape: ...; tape.gradient(loss, v)", _gradient),
)


def name() -> str:
    """The backend this process computes with ("tensorflow", "jax", "torch", …)."""
    return keras.backend.backend()


def run_all(x: np.ndarray = X, y: np.ndarray = Y) -> list[tuple[str, str, str]]:
    """(book code, Keras 3 code, what the Keras 3 code returned on x and y) for every row."""
    return [(e.book, e.keras3, _show(e.run(x, y))) for e in EQUIVALENTS]


def _show(value) -> str:
    if isinstance(value, np.ndarray):
        return np.array2string(value, separator=", ", suppress_small=True,
                               max_line_width=10_000).replace("\n", "")
    return str(value)
