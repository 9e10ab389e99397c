"""MNIST and Fashion-MNIST as uint8 arrays in fixed, seeded splits.

Images are (N, 28, 28) uint8 (0 = background), labels (N,) uint8 (read by `core.mnist`).
Models see `as_float(images)`: (N, 28, 28, 1) float32 in [0, 1].
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from core import datasets
from core.i18n import N_
from core.mnist import read_digits, read_idx, read_images_idx

DATASETS = {"mnist": "mnist", "fashion": "fashion-mnist"}  # CLI name -> data layer name
TITLES = {"mnist": N_("Digits (MNIST)"), "fashion": N_("Clothes (Fashion-MNIST)")}
CLASS_NAMES = {  # translated where shown
    "mnist": [str(d) for d in range(10)],
    "fashion": [N_("T-shirt/top"), N_("Trouser"), N_("Pullover"), N_("Dress"), N_("Coat"),
                N_("Sandal"), N_("Shirt"), N_("Sneaker"), N_("Bag"), N_("Ankle boot")],
}
VALIDATION = {"mnist": 500, "fashion": 5000}  # held out from the training images
SPLIT_SEED = 1989


@dataclass(frozen=True)
class Splits:
    """Images and labels for training, validation and display (the test set where we have one;
    otherwise the validation images)."""

    x_train: np.ndarray
    y_train: np.ndarray
    x_val: np.ndarray
    y_val: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    sources: dict[str, Path]  # name -> file, for the cards' sha256


def source_files(dataset: str, data_dir=None) -> dict[str, Path]:
    """The files a dataset is read from (locating, and perhaps downloading, them)."""
    found = datasets.locate(DATASETS[dataset], data_dir)
    if dataset == "mnist":
        return {f"mnist/{found.name}": found}
    folder = found.parent
    names = ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
             "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz")
    return {f"fashion-mnist/{n}": folder / n for n in names}


def load(dataset: str, data_dir=None) -> Splits:
    """The fixed, seeded train/validation split of a dataset's training images."""
    files = source_files(dataset, data_dir)
    if dataset == "mnist":
        (path,) = files.values()
        x, y = read_digits(path)
        x_test = y_test = None
    else:
        paths = list(files.values())
        x, y = read_images_idx(paths[0]), read_idx(paths[1])
        x_test, y_test = read_images_idx(paths[2]), read_idx(paths[3])
    order = np.random.default_rng(SPLIT_SEED).permutation(len(x))
    n_val = VALIDATION[dataset]
    val, train = order[:n_val], order[n_val:]
    if x_test is None:
        x_test, y_test = x[val], y[val]
    return Splits(x[train], y[train], x[val], y[val], x_test, y_test, files)


def as_float(images: np.ndarray) -> np.ndarray:
    """uint8 (N, 28, 28) -> float32 (N, 28, 28, 1) in [0, 1], the models' input."""
    return (np.asarray(images, np.float32) / 255.0)[..., None]


def display_set(dataset: str) -> tuple[np.ndarray, np.ndarray]:
    """What the page shows, never trained on: (float images, labels) of the test set where we
    have one, else of the validation split."""
    splits = load(dataset)
    return as_float(splits.x_test), splits.y_test


def add_noise(images: np.ndarray, std: float | np.ndarray, seed: int) -> np.ndarray:
    """Float images plus Gaussian noise of the given std (one per image, or one for all),
    clipped back to [0, 1]."""
    images = np.asarray(images, np.float32)
    rng = np.random.default_rng(seed)
    std = np.reshape(std, (-1,) + (1,) * (images.ndim - 1)) if np.ndim(std) else std
    noisy = images + std * rng.standard_normal(images.shape, np.float32)
    return np.clip(noisy, 0, 1).astype(np.float32)


def random_noise(count: int, seed: int = 0) -> np.ndarray:
    """Uniform noise images (N, 28, 28, 1): nothing like any training image."""
    return np.random.default_rng(seed).random((count, 28, 28, 1), np.float32)
