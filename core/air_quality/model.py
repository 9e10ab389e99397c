"""The benzene regressors: functional Keras models that take raw physical units.

Every model is Input(raw readings) → FillMissing (training means for `-200`/NaN) →
Normalization (training mean and variance, fixed) → Dense layers → Dense(1) → Rescaling
(back to µg/m³). All preprocessing values live inside the saved `.keras` file.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

import keras
import numpy as np
import pandas as pd
from keras import layers, ops

from core.air_quality import data

SEED = 2004


@keras.saving.register_keras_serializable(package="air_quality")
class FillMissing(layers.Layer):
    """Replace missing readings (NaN, or the UCI file's `-200` marker) with fixed values."""

    def __init__(self, values: Sequence[float], marker: float = data.MISSING, **kwargs):
        super().__init__(**kwargs)
        self.values = [float(v) for v in values]
        self.marker = float(marker)

    def call(self, x):
        missing = ops.logical_or(ops.isnan(x), ops.equal(x, self.marker))
        fill = ops.broadcast_to(ops.convert_to_tensor(self.values, dtype=x.dtype), ops.shape(x))
        return ops.where(missing, fill, x)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "values": self.values, "marker": self.marker}


def build(columns: Sequence[str], train: pd.DataFrame, *, units: Sequence[int] = (64, 64),
          activation: str = "relu", initializer: str = "glorot_uniform",
          seed: int = SEED, name: str = "benzene") -> keras.Model:
    """A functional MLP whose imputation, normalization and output scale come from `train`."""
    fill = data.imputation_values(train, columns)
    x_train = data.matrix(data.impute(train, fill), columns)
    y = train[data.TARGET].to_numpy(dtype="float64")

    inputs = keras.Input(shape=(len(columns),), name="readings")
    x = FillMissing([fill[c] for c in columns], name="fill_missing")(inputs)
    x = layers.Normalization(mean=x_train.mean(axis=0), variance=x_train.var(axis=0),
                             name="standardize")(x)
    for i, n in enumerate(units):
        init = keras.initializers.get({"class_name": initializer,
                                       "config": {"seed": seed + i}})
        x = layers.Dense(n, activation=activation, kernel_initializer=init, name=f"hidden_{i}")(x)
    z = layers.Dense(1, kernel_initializer=keras.initializers.GlorotUniform(seed + 99),
                     name="standardized_benzene")(x)
    outputs = layers.Rescaling(scale=float(y.std()), offset=float(y.mean()), name="benzene")(z)
    return keras.Model(inputs, outputs, name=name)


EpochHook = Callable[[int, dict], None]  # (epoch index, logs) after each epoch


class _Hook(keras.callbacks.Callback):
    def __init__(self, hook: EpochHook):
        super().__init__()
        self.hook = hook

    def on_epoch_end(self, epoch, logs=None):
        self.hook(epoch, dict(logs or {}))


def fit(model: keras.Model, columns: Sequence[str], train: pd.DataFrame,
        validation: pd.DataFrame | None = None, *, epochs: int = 300, batch_size: int = 64,
        optimizer: str = "adam", learning_rate: float = 3e-3, on_epoch: EpochHook | None = None,
        seed: int = SEED, verbose: int = 0) -> dict:
    """Train on standardized targets (MSE) with a cosine-decaying learning rate; the history."""
    keras.utils.set_random_seed(seed)
    x, y = data.matrix(train, columns), _standardized_target(model, train)
    steps = epochs * int(np.ceil(len(x) / batch_size))
    schedule = keras.optimizers.schedules.CosineDecay(learning_rate, steps, alpha=0.01)
    opt = keras.optimizers.get({"class_name": optimizer,
                                "config": {"learning_rate": schedule}})
    # The loss sees the standardized output: train a twin that stops before the Rescaling.
    trunk = keras.Model(model.inputs, model.get_layer("standardized_benzene").output)
    trunk.compile(optimizer=opt, loss="mse")
    val = None
    if validation is not None:
        val = (data.matrix(validation, columns), _standardized_target(model, validation))
    callbacks = [_Hook(on_epoch)] if on_epoch else []
    history = trunk.fit(x, y, validation_data=val, epochs=epochs, batch_size=batch_size,
                        shuffle=True, callbacks=callbacks, verbose=verbose)
    return history.history


def _standardized_target(model: keras.Model, frame: pd.DataFrame) -> np.ndarray:
    scale = model.get_layer("benzene")
    y = frame[data.TARGET].to_numpy(dtype="float32")
    return (y - scale.offset) / scale.scale


def predict(model: keras.Model, frame: pd.DataFrame, columns: Sequence[str]) -> np.ndarray:
    """Benzene in µg/m³ for each row (raw units; missing inputs allowed)."""
    x = data.matrix(frame, columns)
    return np.asarray(model.predict_on_batch(x)).reshape(-1).astype("float64")


def metrics(actual: np.ndarray, predicted: np.ndarray) -> dict[str, float]:
    actual, predicted = np.asarray(actual, "float64"), np.asarray(predicted, "float64")
    err = predicted - actual
    total = np.sum((actual - actual.mean()) ** 2)
    return {"rows": int(len(actual)),
            "rmse": float(np.sqrt(np.mean(err ** 2))),
            "mae": float(np.mean(np.abs(err))),
            "r2": float(1 - np.sum(err ** 2) / total) if total > 0 else float("nan")}


def evaluate(model: keras.Model, frame: pd.DataFrame, columns: Sequence[str]) -> dict:
    """Metrics on every row of `frame` that has a target."""
    frame = data.with_target(frame)
    if frame.empty:
        raise data.AirQualityFormatError(f"no row has a {data.TARGET} reading to compare with")
    return metrics(frame[data.TARGET].to_numpy(), predict(model, frame, columns))


def timed_latency(model: keras.Model, n_inputs: int, repeats: int = 50) -> float:
    """Median milliseconds for one single-row prediction (what the tuning panel does)."""
    x = np.zeros((1, n_inputs), dtype="float32")
    model.predict_on_batch(x)
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        model.predict_on_batch(x)
        times.append(time.perf_counter() - t0)
    return float(np.median(times) * 1000)
