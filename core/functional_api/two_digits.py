"""What only the functional API can build: two inputs, a shared layer, a merge and two heads.

Two handwritten digits go in; the model answers two questions at once: are they the same digit,
and what is their sum? One encoder reads both images (its weights exist once, so both digits are
judged by the same eye), `concatenate` joins the two encodings, and two heads answer.
"""

from __future__ import annotations

import inspect

import keras
import numpy as np
from keras import layers


def two_digit_model() -> keras.Model:
    left = keras.Input(shape=(784,), name="left_digit")
    right = keras.Input(shape=(784,), name="right_digit")

    encoder = layers.Dense(32, activation="relu", name="shared_encoder")  # one layer, two calls
    merged = layers.concatenate([encoder(left), encoder(right)], name="merged")
    hidden = layers.Dense(64, activation="relu", name="hidden")(merged)

    same = layers.Dense(1, activation="sigmoid", name="same_digit")(hidden)
    total = layers.Dense(19, activation="softmax", name="digit_sum")(hidden)  # sums 0 to 18
    return keras.Model(inputs=[left, right], outputs=[same, total], name="two_digits")


TRAINING_CODE = """\
model.compile(
    optimizer="adam",
    loss={"same_digit": "binary_crossentropy", "digit_sum": "sparse_categorical_crossentropy"},
    loss_weights={"same_digit": 1.0, "digit_sum": 0.5},
)
model.fit({"left_digit": x_left, "right_digit": x_right},
          {"same_digit": y_same, "digit_sum": y_sum}, epochs=5)
"""


def code() -> str:
    """The builder's own source, so the page shows exactly what runs."""
    return "import keras\nfrom keras import layers\n\n\n" + inspect.getsource(two_digit_model) + (
        "\n\nmodel = two_digit_model()\n")


PAIRS = 4  # random pairs the page feeds the model


def answer_shapes(model: keras.Model, pairs: int = PAIRS, seed: int = 0) -> dict[str, tuple]:
    """Feed random digit-shaped pairs by input name; one array comes back per head."""
    rng = np.random.default_rng(seed)
    inputs = {t.name: rng.random((pairs, 784), dtype=np.float32) for t in model.inputs}
    outputs = model(inputs, training=False)
    return {t._keras_history.operation.name: tuple(keras.ops.shape(y))
            for t, y in zip(model.outputs, outputs, strict=True)}
