"""The autoencoders: an encoder Model and a decoder Model, composed into one functional Model.

Every model maps (28, 28, 1) images in [0, 1] to images of the same shape (sigmoid output,
trained with binary cross-entropy). The composed model's layers named "encoder" and "decoder"
are themselves functional Models, usable on their own (`parts(model)`).
"""

from __future__ import annotations

import keras
from keras import layers

from core.i18n import N_

SHAPE = (28, 28, 1)
KINDS = {  # model name -> (code size, what it is: translated where shown)
    "dense": (32, N_("dense layers, 784 → 256 → 32 → 256 → 784: the classic baseline")),
    "conv": (32, N_("strided convolutions down to a 32-number code, transposed convolutions "
                    "back")),
    "denoise": (32, N_("the convolutional model, trained to rebuild clean images from noisy "
                       "ones")),
    "latent2d": (2, N_("the convolutional model squeezed to a 2-number code, to draw a latent "
                       "map")),
}


def code_size(kind: str) -> int:
    return KINDS[kind][0]


def _conv_encoder(code: int) -> keras.Model:
    x = inputs = keras.Input(SHAPE, name="image")
    for filters, stride in ((32, 2), (64, 2), (64, 1)):  # 28 → 14 → 7 → 7
        x = layers.Conv2D(filters, 3, strides=stride, padding="same", use_bias=False)(x)
        x = layers.BatchNormalization()(x)
        x = layers.Activation("relu")(x)
    x = layers.Flatten()(x)
    outputs = layers.Dense(code, name="code")(x)
    return keras.Model(inputs, outputs, name="encoder")


def _conv_decoder(code: int) -> keras.Model:
    inputs = keras.Input((code,), name="code")
    x = layers.Dense(7 * 7 * 64, activation="relu")(inputs)
    x = layers.Reshape((7, 7, 64))(x)
    for filters, stride in ((64, 1), (64, 2), (32, 2)):  # 7 → 7 → 14 → 28
        x = layers.Conv2DTranspose(filters, 3, strides=stride, padding="same", use_bias=False)(x)
        x = layers.BatchNormalization()(x)
        x = layers.Activation("relu")(x)
    outputs = layers.Conv2D(1, 3, padding="same", activation="sigmoid", name="pixels")(x)
    return keras.Model(inputs, outputs, name="decoder")


def _dense_encoder(code: int) -> keras.Model:
    inputs = keras.Input(SHAPE, name="image")
    x = layers.Flatten()(inputs)
    x = layers.Dense(256, activation="relu")(x)
    outputs = layers.Dense(code, name="code")(x)
    return keras.Model(inputs, outputs, name="encoder")


def _dense_decoder(code: int) -> keras.Model:
    inputs = keras.Input((code,), name="code")
    x = layers.Dense(256, activation="relu")(inputs)
    x = layers.Dense(28 * 28, activation="sigmoid")(x)
    outputs = layers.Reshape(SHAPE, name="pixels")(x)
    return keras.Model(inputs, outputs, name="decoder")


def build(kind: str, *, seed: int = 0, name: str | None = None) -> keras.Model:
    """A fresh autoencoder of the given kind (see KINDS), weights drawn from `seed`."""
    if kind not in KINDS:
        raise ValueError(f"unknown model {kind!r}; known: {', '.join(KINDS)}")
    keras.utils.set_random_seed(seed)
    code = code_size(kind)
    if kind == "dense":
        encoder, decoder = _dense_encoder(code), _dense_decoder(code)
    else:
        encoder, decoder = _conv_encoder(code), _conv_decoder(code)
    inputs = keras.Input(SHAPE, name="image")
    outputs = decoder(encoder(inputs))
    return keras.Model(inputs, outputs, name=name or f"autoencoder_{kind}")


def parts(model: keras.Model) -> tuple[keras.Model, keras.Model]:
    """The (encoder, decoder) inside a composed autoencoder."""
    return model.get_layer("encoder"), model.get_layer("decoder")
