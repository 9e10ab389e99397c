"""The digit classifier that judges generated digits: a small CNN trained on the classifier's
own 1,000 digits (never the GAN's), shipped with its card.

Its last hidden layer, "features" (64 numbers), is the space the Fréchet distance is measured
in; its softmax says which digit it sees and how sure it is.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import keras
import numpy as np
from keras import layers

from core import cards, datasets
from core.gan import data
from core.gan.model import SHAPE

ASSETS = cards.ASSETS / "gan"
PATH = ASSETS / "digit_classifier.keras"
REBUILD = "python -m core train gan --model classifier"
FEATURES = "features"


@dataclass(frozen=True)
class Recipe:
    epochs: int = 40
    batch_size: int = 64
    learning_rate: float = 2e-3  # Adam, cosine decay to 2 % of it
    rotation: float = 0.03  # random rotations, share of a full turn (about ±11°)
    shift: float = 0.08  # random shifts, share of the side (about ±2 px)
    seed: int = 21


@dataclass(frozen=True)
class ClassifierCard(cards.Card):
    split: dict = field(default_factory=dict)


def build(seed: int = 0) -> keras.Model:
    keras.utils.set_random_seed(seed)
    image = keras.Input(SHAPE, name="image")  # in [-1, 1], like the generator's output
    x = image
    for filters in (32, 64):
        x = layers.Conv2D(filters, 3, padding="same", activation="relu")(x)
        x = layers.Conv2D(filters, 3, padding="same", activation="relu")(x)
        x = layers.MaxPooling2D()(x)
    x = layers.Flatten()(x)
    x = layers.Dropout(0.4)(x)
    x = layers.Dense(64, activation="relu", name=FEATURES)(x)
    x = layers.Dropout(0.3)(x)
    probs = layers.Dense(10, activation="softmax", name="digit")(x)
    return keras.Model(image, probs, name="digit_classifier")


def feature_model(net: keras.Model) -> keras.Model:
    """The same network, answering with (features, probabilities)."""
    return keras.Model(net.input, [net.get_layer(FEATURES).output, net.output])


def train_and_ship(*, data_dir=None, recipe: Recipe = Recipe(), out: Path = PATH,
                   command: str | None = None, log=print) -> ClassifierCard:
    import tensorflow as tf

    parts = data.load(data_dir)
    x, y = data.to_tanh(parts.x_classifier), parts.y_classifier
    x_val, y_val = data.to_tanh(parts.x_val), parts.y_val
    net = build(recipe.seed)
    steps = -(-len(x) // recipe.batch_size) * recipe.epochs
    rate = keras.optimizers.schedules.CosineDecay(recipe.learning_rate, steps, alpha=0.02)
    net.compile(keras.optimizers.Adam(rate), "sparse_categorical_crossentropy",
                metrics=["accuracy"])
    jitter = keras.Sequential([
        layers.RandomRotation(recipe.rotation, fill_value=-1.0, fill_mode="constant",
                              seed=recipe.seed),
        layers.RandomTranslation(recipe.shift, recipe.shift, fill_value=-1.0,
                                 fill_mode="constant", seed=recipe.seed + 1)])
    batches = (tf.data.Dataset.from_tensor_slices((x, y)).shuffle(len(x), seed=recipe.seed)
               .batch(recipe.batch_size).map(lambda a, b: (jitter(a, training=True), b)))
    log(f"classifier: {len(x)} digits, {recipe.epochs} epochs")
    started = time.perf_counter()
    net.fit(batches, epochs=recipe.epochs, validation_data=(x_val, y_val), verbose=2)
    seconds = time.perf_counter() - started
    probs = net.predict(x_val, verbose=0)
    validation = {"accuracy": round(float(np.mean(probs.argmax(1) == y_val)), 4),
                  "confident_share": round(float(np.mean(probs.max(1) >= CONFIDENT)), 4)}
    out.parent.mkdir(parents=True, exist_ok=True)
    shipped = build()  # the weights without the optimizer's state
    shipped.set_weights(net.get_weights())
    shipped.save(out)
    log(f"classifier: validation {validation} after {seconds:.0f} s")
    return cards.write_card(
        out.with_suffix(".json"), ClassifierCard,
        command=command or cards.training_command(),
        data_sha256={f"mnist/{parts.source.name}": datasets.sha256_of(parts.source)},
        metrics={"validation": validation}, split=parts.sizes(), training=asdict(recipe),
        training_seconds=round(seconds, 1), parameters=int(net.count_params()))


CONFIDENT = 0.9  # a digit is "confidently recognized" when the classifier gives it ≥ 90 %


def load_shipped(path: Path = PATH) -> tuple[keras.Model, ClassifierCard]:
    return cards.load_shipped(path, ClassifierCard, rebuild=REBUILD)
