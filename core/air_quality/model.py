"""The benzene regressors: functional Keras models that take raw physical units.

Every model is Input(raw readings) → FillMissing (training means for `-200`/NaN) →
Normalization (training mean and variance, fixed) → Dense layers → Dense(1) → Rescaling
(back to µg/m³). All preprocessing values live inside the saved `.keras` file.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import keras
import numpy as np
import pandas as pd
from keras import layers, ops

from core.air_quality import data
from core.i18n import _

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


KEY_SENSOR = "PT08.S2(NMHC)"  # benzene follows this sensor along one smooth curve


def build(columns: Sequence[str], train: pd.DataFrame, *, units: Sequence[int] = (32, 32),
          activation: str = "gelu", initializer: str = "glorot_uniform",
          key_branch: bool = True, context_units: int = 16, context_l2: float = 1e-2,
          seed: int = SEED, name: str = "benzene") -> keras.Model:
    """A functional regressor whose preprocessing values all come from `train`.

    With `key_branch` (and the key sensor among the inputs) it has two branches, added:
    a *curve* MLP that sees only the key sensor, and a small, strongly L2-regularized
    *context* MLP that sees every input and may only add what the curve cannot explain.
    Without it, a plain MLP over every input (the book's design when units=(8,)).
    """
    columns = list(columns)
    fill = data.imputation_values(train, columns)
    x_train = data.matrix(data.impute(train, fill), columns)
    y = train[data.TARGET].to_numpy(dtype="float64")

    inputs = keras.Input(shape=(len(columns),), name="readings")
    filled = FillMissing([fill[c] for c in columns], name="fill_missing")(inputs)
    z = layers.Normalization(mean=x_train.mean(axis=0), variance=x_train.var(axis=0),
                             name="standardize")(filled)
    if key_branch and KEY_SENSOR in columns:
        k = columns.index(KEY_SENSOR)
        key = layers.Identity(name="key_sensor")(z[:, k:k + 1])
        curve = _mlp(key, units, activation, initializer, seed, "curve")
        reg = keras.regularizers.L2(context_l2)
        ctx = layers.Dense(context_units, activation="relu", kernel_regularizer=reg,
                           kernel_initializer=keras.initializers.HeNormal(seed + 50),
                           name="context_hidden")(z)
        ctx = layers.Dense(1, kernel_initializer="zeros", kernel_regularizer=reg,
                           name="context_out")(ctx)
        out = layers.Add(name="standardized_benzene")([curve, ctx])
    else:
        out = layers.Identity(name="standardized_benzene")(
            _mlp(z, units, activation, initializer, seed, "dense"))
    outputs = layers.Rescaling(scale=float(y.std()), offset=float(y.mean()), name="benzene")(out)
    return keras.Model(inputs, outputs, name=name)


def _mlp(x, units: Sequence[int], activation: str, initializer: str, seed: int, prefix: str):
    for i, n in enumerate(units):
        x = layers.Dense(n, activation=activation, name=f"{prefix}_{i}",
                         kernel_initializer=_seeded(initializer, seed + i))(x)
    return layers.Dense(1, kernel_initializer=keras.initializers.GlorotUniform(seed + 99),
                        name=f"{prefix}_out")(x)


def _seeded(initializer: str, seed: int) -> keras.initializers.Initializer:
    """The named initializer, seeded where it is random (constant ones take no seed)."""
    cls = type(keras.initializers.get(initializer))
    try:
        return cls(seed=seed)
    except TypeError:
        return cls()


EpochHook = Callable[[int, dict], None]  # (epoch index, logs) after each epoch


class _Hook(keras.callbacks.Callback):
    def __init__(self, hook: EpochHook):
        super().__init__()
        self.hook = hook

    def on_epoch_end(self, epoch, logs=None):
        self.hook(epoch, dict(logs or {}))


def fit(model: keras.Model, columns: Sequence[str], train: pd.DataFrame,
        validation: pd.DataFrame | None = None, *, epochs: int = 300, batch_size: int = 64,
        optimizer: str = "adam", learning_rate: float = 3e-3, constant_lr: bool = False,
        on_epoch: EpochHook | None = None, seed: int = SEED, verbose: int = 0) -> dict:
    """Train on standardized targets (MSE), by default with a cosine-decaying learning rate
    (long runs settle into the curve's fine detail); returns the history."""
    keras.utils.set_random_seed(seed)
    x, y = data.matrix(train, columns), _standardized_target(model, train)
    steps = epochs * int(np.ceil(len(x) / batch_size))
    rate = learning_rate if constant_lr else keras.optimizers.schedules.CosineDecay(
        learning_rate, steps, alpha=0.01)
    opt = keras.optimizers.get({"class_name": optimizer, "config": {"learning_rate": rate}})
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


def not_computed(scores: dict) -> dict[str, str]:
    """Why each metric of `metrics()` that is not a finite number could not be computed."""
    why = {}
    for key in ("rmse", "mae"):
        if not np.isfinite(scores[key]):
            why[key] = _("the model's predictions are not finite numbers: some readings are "
                         "far outside any range it was trained on")
    if not np.isfinite(scores["r2"]):
        why["r2"] = why.get("rmse", _("R² compares the errors with the spread of the benzene "
                                      "readings: it needs at least two rows with different "
                                      "readings"))
    return why


def evaluate(model: keras.Model, frame: pd.DataFrame, columns: Sequence[str]) -> dict:
    """Metrics on every row of `frame` that has a target."""
    frame = data.with_target(frame)
    if frame.empty:
        raise data.AirQualityFormatError(_("no row has a {target} reading to compare with",
                                            target=data.TARGET))
    return metrics(frame[data.TARGET].to_numpy(), predict(model, frame, columns))


def score_file(content: bytes, models: dict[str, tuple]) -> list[dict]:
    """An uploaded file in the UCI format, scored by every model of `models` (name -> (model,
    card)): one row of metrics per model. AirQualityFormatError says what is wrong with it."""
    frame = data.parse(content)
    return [{"model": name, **evaluate(net, frame, card.inputs)}
            for name, (net, card) in models.items()]
