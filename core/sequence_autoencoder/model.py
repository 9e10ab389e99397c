"""The day autoencoder: an encoder Model and a decoder Model, composed into one functional Model.

encoder: day (24 × 8 raw readings, NaN or -200 where missing) → FillMissing (training means)
→ Normalization (training mean and variance, fixed) → bidirectional GRU → Dense → code.
decoder: code → RepeatVector(24) → GRU (one step per hour) → TimeDistributed(Dense(8)) → the
day rebuilt in normalized units. All preprocessing values live inside the saved `.keras` file.
"""

from __future__ import annotations

import keras
from keras import layers

from core.air_quality.model import FillMissing
from core.sequence_autoencoder.windows import CHANNELS, HOURS, Stats

UNITS = 48
CODE_SIZES = (2, 4, 8, 16)


def build(code: int, stats: Stats, *, units: int = UNITS, seed: int = 0,
          name: str | None = None) -> keras.Model:
    """A fresh day autoencoder with a `code`-number bottleneck, weights drawn from `seed`."""
    keras.utils.set_random_seed(seed)
    encoder, decoder = _encoder(code, stats, units), _decoder(code, units)
    inputs = keras.Input((HOURS, len(CHANNELS)), name="day")
    return keras.Model(inputs, decoder(encoder(inputs)), name=name or f"day_autoencoder_{code}")


def _encoder(code: int, stats: Stats, units: int) -> keras.Model:
    inputs = keras.Input((HOURS, len(CHANNELS)), name="day")
    x = FillMissing(stats.mean.tolist(), name="fill_missing")(inputs)
    x = layers.Normalization(axis=-1, mean=stats.mean, variance=stats.std ** 2,
                             name="standardize")(x)
    # Both directions: a one-way GRU's last state remembers the evening better than the morning.
    x = layers.Bidirectional(layers.GRU(units // 2), name="read_the_day")(x)
    outputs = layers.Dense(code, name="code")(x)
    return keras.Model(inputs, outputs, name="encoder")


def _decoder(code: int, units: int) -> keras.Model:
    inputs = keras.Input((code,), name="code")
    x = layers.RepeatVector(HOURS, name="every_hour")(inputs)
    x = layers.GRU(units, return_sequences=True, name="write_the_day")(x)
    outputs = layers.TimeDistributed(layers.Dense(len(CHANNELS)), name="readings")(x)
    return keras.Model(inputs, outputs, name="decoder")


def parts(model: keras.Model) -> tuple[keras.Model, keras.Model]:
    """(encoder, decoder) of a composed autoencoder."""
    return model.get_layer("encoder"), model.get_layer("decoder")


def code_size(model: keras.Model) -> int:
    return int(parts(model)[0].output.shape[-1])
