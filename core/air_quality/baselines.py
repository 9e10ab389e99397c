"""What the shipped models are compared with: least squares, and the book's recipe.

Both editions' code (the Japanese edition's `ch07/regression_net.py`, the English edition's
`Chapter07/air-quality-regression.py`) standardizes all 12 inputs and the target with the
`-200` markers left in as numbers and trains Input(12) → Dense(8, relu) → Dense(1) for 20
epochs with batch 10. They split differently: the Japanese edition's code at random, 70/30
(`train_test_split(test_size=0.3)`), the English edition's in time order (the first 70 % of
the hours for training). `book_recipe` follows the Japanese edition's random split.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from core.air_quality import data
from core.air_quality.model import SEED, build, metrics

BOOK_UNITS = 8  # the hidden layer of the book's network, in both editions


def linear(train: pd.DataFrame, validation: pd.DataFrame, columns: Sequence[str]) -> dict:
    """Ordinary least squares (numpy) on mean-imputed inputs; validation metrics."""
    fill = data.imputation_values(train, columns)

    def design(frame):
        x = data.matrix(data.impute(frame, fill), columns).astype("float64")
        return np.column_stack([np.ones(len(x)), x])

    coef, *_ = np.linalg.lstsq(design(train), train[data.TARGET].to_numpy(), rcond=None)
    return metrics(validation[data.TARGET].to_numpy(), design(validation) @ coef)


def book_network_clean(train: pd.DataFrame, validation: pd.DataFrame,
                       columns: Sequence[str], seed: int = SEED) -> dict:
    """The book's network and schedule, trained on the cleaned chronological split."""
    from core.air_quality.model import fit, predict

    model = build(columns, train, units=(BOOK_UNITS,), activation="relu", key_branch=False,
                  seed=seed)
    # The book's plain Adam (lr 0.001, constant) and 20 epochs of batch 10.
    fit(model, columns, train, epochs=20, batch_size=10, learning_rate=1e-3, constant_lr=True,
        seed=seed)
    return metrics(validation[data.TARGET].to_numpy(), predict(model, validation, columns))


def book_recipe(frame: pd.DataFrame, seed: int = SEED) -> dict:
    """The Japanese edition's code, `-200` left in: its own random 30% test score, and that
    score on the test rows that have a real benzene reading."""
    import keras
    from keras import layers

    raw = frame[list(data.ALL_INPUTS) + [data.TARGET]].fillna(data.MISSING)
    x, y = raw[list(data.ALL_INPUTS)].to_numpy("float64"), raw[data.TARGET].to_numpy("float64")
    xs = (x - x.mean(axis=0)) / x.std(axis=0)  # StandardScaler over all rows, as the book does
    y_mean, y_std = y.mean(), y.std()
    ys = (y - y_mean) / y_std
    order = np.random.default_rng(seed).permutation(len(x))
    cut = int(0.7 * len(x))
    tr, te = order[:cut], order[cut:]

    keras.utils.set_random_seed(seed)
    readings = keras.Input(shape=(len(data.ALL_INPUTS),))
    hidden = layers.Dense(BOOK_UNITS, activation="relu",
                          kernel_initializer="glorot_uniform")(readings)
    benzene = layers.Dense(1, kernel_initializer="glorot_uniform")(hidden)
    model = keras.Model(readings, benzene)
    model.compile(loss="mse", optimizer="adam")
    model.fit(xs[tr], ys[tr], batch_size=10, epochs=20, validation_split=0.2, verbose=0)
    pred = model.predict(xs[te], verbose=0).reshape(-1) * y_std + y_mean
    real = y[te] != data.MISSING
    return {"test_all_rows": metrics(y[te], pred),
            "test_rows_with_reading": metrics(y[te][real], pred[real]),
            "missing_targets_in_test": int((~real).sum())}
