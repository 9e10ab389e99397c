"""The MNIST digits of the GAN topic, in three disjoint, seeded parts.

Of the 5,000 development digits, the 500 validation digits are the Autoencoders page's own
(the same seeded permutation), never seen by any model here; the next 1,000 train the digit
classifier that judges the generator; the remaining 3,500 train the GAN. So the classifier has
never seen a digit the generator learned from, and the generated digits are compared with real
digits neither network saw.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from core import datasets
from core.autoencoder.data import SPLIT_SEED
from core.mnist import read_digits

VALIDATION = 500
CLASSIFIER = 1_000


@dataclass(frozen=True)
class Parts:
    """uint8 (N, 28, 28) digits and their labels, for each part; the source file."""

    x_gan: np.ndarray
    y_gan: np.ndarray
    x_classifier: np.ndarray
    y_classifier: np.ndarray
    x_val: np.ndarray
    y_val: np.ndarray
    source: Path

    def sizes(self) -> dict[str, int]:
        return {"gan": len(self.x_gan), "classifier": len(self.x_classifier),
                "validation": len(self.x_val), "seed": SPLIT_SEED}


def split(images: np.ndarray, labels: np.ndarray, source: Path) -> Parts:
    order = np.random.default_rng(SPLIT_SEED).permutation(len(images))
    val = order[:VALIDATION]
    clf = order[VALIDATION:VALIDATION + CLASSIFIER]
    gan = order[VALIDATION + CLASSIFIER:]
    return Parts(images[gan], labels[gan], images[clf], labels[clf], images[val], labels[val],
                 source)


def load(data_dir=None) -> Parts:
    """The three parts of the MNIST digits found by the data layer."""
    path = datasets.locate("mnist", data_dir)
    images, labels = read_digits(path)
    return split(images, labels, path)


def to_tanh(images: np.ndarray) -> np.ndarray:
    """uint8 (N, 28, 28) -> float32 (N, 28, 28, 1) in [-1, 1], the generator's range."""
    return (np.asarray(images, np.float32) / 127.5 - 1.0)[..., None]


def to_uint8(images: np.ndarray) -> np.ndarray:
    """The generator's (N, 28, 28, 1) in [-1, 1] -> uint8 (N, 28, 28), white digit on black."""
    pixels = (np.asarray(images, np.float32)[..., 0] + 1.0) * 127.5
    return np.clip(np.rint(pixels), 0, 255).astype(np.uint8)
