"""The Keras 2 backend calls of the book's chapter 7 code, each beside its Keras 3 `keras.ops`
spelling, run on every backend.

The book writes `from keras import backend as K` and `K.sqrt`, `K.sum`, `K.pool2d`, … In
Keras 3 the same math is `keras.ops` (NumPy-like names), and the same line runs on TensorFlow,
JAX, PyTorch or NumPy, whichever backend the process started with. A few calls have no op:
gradients belong to the backend (`core.backends.steps`), and `K.function` is a plain function.
"""

from __future__ import annotations

from dataclasses import dataclass

import keras
import numpy as np
from keras import ops

from core.i18n import N_


@dataclass(frozen=True)
class BookLine:
    file: str  # the book's ch07 file it comes from
    keras2: str  # the line as the book writes it (`self.` dropped, temporaries inlined)
    keras3: str  # the Keras 3 spelling: an expression, evaluated as shown
    portable: bool = True  # False: no keras.ops equivalent; `keras3` says (N_) what replaces it


LINES = (
    BookLine("custom_layer_lambda.py",
             "K.sqrt(K.sum(K.square(x - y), axis=1, keepdims=True))",
             "ops.sqrt(ops.sum(ops.square(x - y), axis=1, keepdims=True))"),
    BookLine("custom_layer_normalize.py",
             'K.pool2d(K.square(image), (n, n), strides=(1, 1), padding="same", '
             'pool_mode="avg")',
             'ops.average_pool(ops.square(image), (n, n), strides=(1, 1), padding="same")'),
    BookLine("custom_layer_normalize.py", "K.pow(k + alpha * average, beta)",
             "ops.power(k + alpha * average, beta)"),
    BookLine("deep_dream.py", "K.mean(layer_output)", "ops.mean(layer_output)"),
    BookLine("deep_dream.py", "grads / K.maximum(K.mean(K.abs(grads)), 1e-5)",
             "grads / ops.maximum(ops.mean(ops.abs(grads)), 1e-5)"),
    BookLine("style_transfer.py", "K.batch_flatten(K.permute_dimensions(feature_map, (2, 0, 1)))",
             "ops.reshape(ops.transpose(feature_map, (2, 0, 1)), (feature_map.shape[2], -1))"),
    BookLine("style_transfer.py", "K.dot(features, K.transpose(features))",
             "ops.matmul(features, ops.transpose(features))"),
    BookLine("style_transfer.py", "K.sum(K.square(combination - content))",
             "ops.sum(ops.square(combination - content))"),
    BookLine("style_transfer.py", "K.sum(K.pow(a + b, 1.25))", "ops.sum(ops.power(a + b, 1.25))"),
    BookLine("style_transfer.py", "K.concatenate([content, style, combination], axis=0)",
             "ops.concatenate([content, style, combination], axis=0)"),
    BookLine("style_transfer.py", "K.ndim(image)", "ops.ndim(image)"),
    BookLine("style_transfer.py", "K.variable(content)", "keras.Variable(content).value"),
    BookLine("deep_dream.py", "K.gradients(loss, dream)[0]",
             N_("the backend's own autodiff: `tf.GradientTape`, `jax.grad`, PyTorch's "
                "`backward()` (section 4)"), portable=False),
    BookLine("deep_dream.py", "K.function([dream], [loss, grads])",
             N_("a plain Python function (compiled with `tf.function` or `jax.jit` if you "
                "like)"), portable=False),
)


def inputs(seed: int = 0) -> dict[str, np.ndarray | float | int]:
    """The named values the lines work on, drawn from `seed` (the same on every backend)."""
    rng = np.random.default_rng(seed)

    def normal(*shape):
        return rng.normal(size=shape).astype("float32")

    return {
        "x": rng.integers(0, 9, (4, 3)).astype("float32"),  # the book's digits 0–8
        "y": rng.integers(0, 9, (4, 3)).astype("float32"),
        "image": normal(1, 8, 8, 3), "n": 5, "alpha": 0.0005, "beta": 0.75, "k": 2.0,
        "average": rng.uniform(0, 1, (1, 8, 8, 3)).astype("float32"),
        "layer_output": normal(1, 4, 4, 8), "grads": normal(1, 8, 8, 3),
        "feature_map": normal(4, 4, 8), "features": normal(8, 16),
        "content": normal(1, 4, 4, 3), "style": normal(1, 4, 4, 3),
        "combination": normal(1, 4, 4, 3),
        "a": rng.uniform(0, 1, (1, 3, 3, 3)).astype("float32"),
        "b": rng.uniform(0, 1, (1, 3, 3, 3)).astype("float32"),
    }


def run_lines(seed: int = 0) -> dict[str, np.ndarray]:
    """Every portable line's Keras 3 expression, evaluated on this process's backend:
    {"line_<i>": result}. The expressions are this module's own constants (never a user's
    text), evaluated so that the code shown is exactly the code that ran."""
    names = {"ops": ops, "keras": keras, **inputs(seed)}
    return {f"line_{i}": np.asarray(ops.convert_to_numpy(eval(line.keras3, {}, names)))
            for i, line in enumerate(LINES) if line.portable}
