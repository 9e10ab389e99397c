"""The book's Local Response Normalization as a proper, serializable Keras layer, and a demo.

Each activation is divided by ``(k + alpha * s) ** beta`` where ``s`` sums, over all channels,
the mean of the squared activations in the n×n neighbourhood of the pixel (the book's recipe:
an average pool of the squares, then a sum across channels). AlexNet's original LRN instead
sums over n neighbouring *channels* at the same pixel (`tf.nn.local_response_normalization`).
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

import keras
import numpy as np
from keras import layers, ops
from PIL import Image


@keras.saving.register_keras_serializable(package="customizing")
class LocalResponseNormalization(layers.Layer):
    """Divide each activation by (k + alpha · local energy) ** beta; channels-last images."""

    def __init__(self, n: int = 5, alpha: float = 0.0005, beta: float = 0.75, k: float = 2.0,
                 **kwargs):
        super().__init__(**kwargs)
        if int(n) != n or n < 1:
            raise ValueError(f"n must be a positive whole number of pixels, got {n}")
        if k <= 0 or alpha < 0:
            raise ValueError(f"need k > 0 and alpha >= 0, got k={k}, alpha={alpha}")
        self.n, self.alpha, self.beta, self.k = int(n), float(alpha), float(beta), float(k)

    def call(self, inputs):
        return inputs / self.divisor(inputs)

    def divisor(self, inputs):
        """(k + alpha · energy) ** beta, shape (B, H, W, 1): the same for every channel."""
        pooled = ops.average_pool(ops.square(inputs), pool_size=self.n, strides=1,
                                  padding="same", data_format="channels_last")
        energy = ops.sum(pooled, axis=-1, keepdims=True)
        return ops.power(self.k + self.alpha * energy, self.beta)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "n": self.n, "alpha": self.alpha, "beta": self.beta,
                "k": self.k}


def numpy_lrn(x: np.ndarray, n: int = 5, alpha: float = 0.0005, beta: float = 0.75,
              k: float = 2.0) -> np.ndarray:
    """Reference in plain NumPy, for a batch (B, H, W, C): the window mean counts only the
    cells inside the image, as 'same' average pooling does."""
    x = np.asarray(x, dtype=np.float64)
    _, height, width, _ = x.shape
    squares = (x ** 2).sum(axis=-1)  # the channel sum commutes with the window mean
    before, after = (n - 1) // 2, n // 2  # TensorFlow's 'same' puts the extra cell after
    energy = np.empty_like(squares)
    for i in range(height):
        rows = slice(max(i - before, 0), min(i + after + 1, height))
        for j in range(width):
            cols = slice(max(j - before, 0), min(j + after + 1, width))
            energy[:, i, j] = squares[:, rows, cols].mean(axis=(1, 2))
    return x / (k + alpha * energy[..., None]) ** beta


# --- demo: a conv layer with readable filters, before and after LRN ---------------------------

FILTERS = ("vertical edges", "horizontal edges", "diagonal edges", "spots",
           "red", "green", "blue", "brightness")


def _demo_kernel() -> np.ndarray:
    """3×3×3×8 hand-made filters, so that every feature map has a meaning."""
    sobel = np.array([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]], dtype=np.float32)
    diagonal = np.array([[0, 1, 2], [-1, 0, 1], [-2, -1, 0]], dtype=np.float32)
    laplace = np.array([[0, -1, 0], [-1, 4, -1], [0, -1, 0]], dtype=np.float32)
    centre = np.zeros((3, 3), np.float32)
    centre[1, 1] = 1
    grey = np.full(3, 1 / 3, np.float32)
    kernel = np.zeros((3, 3, 3, len(FILTERS)), np.float32)
    for i, spatial in enumerate((sobel, sobel.T, diagonal, laplace)):
        kernel[:, :, :, i] = spatial[:, :, None] * grey
    for channel in range(3):
        kernel[:, :, channel, 4 + channel] = centre
    kernel[:, :, :, 7] = centre[:, :, None] * grey
    return kernel


def build_demo_model(n: int = 5, alpha: float = 0.0005, beta: float = 0.75,
                     k: float = 2.0) -> keras.Model:
    """RGB (0–255) → Conv2D(8, 3×3, relu) with fixed filters → LRN; outputs both stages."""
    image = keras.Input(shape=(None, None, 3), name="image")
    conv = layers.Conv2D(len(FILTERS), 3, padding="same", activation="relu", name="conv")
    features = conv(image)
    normalized = LocalResponseNormalization(n, alpha, beta, k, name="lrn")(features)
    conv.set_weights([_demo_kernel(), np.zeros(len(FILTERS), np.float32)])
    return keras.Model(image, [features, normalized], name="lrn_demo")


def sample_image(side: int = 128) -> Image.Image:
    """A synthetic test card: colour bands, a bright disc, fine stripes and a checkerboard,
    so that edges, spots and colours of all strengths sit side by side."""
    yy, xx = np.mgrid[0:side, 0:side] / side
    rgb = np.zeros((side, side, 3))
    rgb[..., 0] = xx  # red ramps left to right
    rgb[..., 1] = yy  # green top to bottom
    rgb[..., 2] = 0.4
    disc = (xx - 0.3) ** 2 + (yy - 0.3) ** 2 < 0.04
    rgb[disc] = 1.0
    stripes = (xx > 0.55) & (yy < 0.45)
    rgb[stripes] *= (np.sin(xx[stripes] * side * 1.2) > 0)[:, None]
    board = (xx > 0.55) & (yy > 0.55)
    rgb[board] = (((xx[board] * 8).astype(int) + (yy[board] * 8).astype(int)) % 2)[:, None]
    return Image.fromarray((rgb * 255).astype(np.uint8), "RGB")


@dataclass(frozen=True)
class FeatureMaps:
    before: np.ndarray  # (H, W, C) conv+relu activations
    after: np.ndarray  # (H, W, C) after LRN
    divisor: np.ndarray  # (H, W): what LRN divided every channel by at each pixel


def feature_maps(model: keras.Model, image: Image.Image) -> FeatureMaps:
    pixels = np.asarray(image.convert("RGB"), dtype=np.float32)[None]
    before, after = model(pixels)
    divisor = model.get_layer("lrn").divisor(before)
    return FeatureMaps(*(ops.convert_to_numpy(t)[0] for t in (before, after)),
                       ops.convert_to_numpy(divisor)[0, :, :, 0])


@dataclass(frozen=True)
class RoundTrip:
    file_bytes: int
    config: dict  # the LRN layer's config as read back from the file
    max_difference: float  # between the outputs before saving and after loading
    layer_type: str


def save_and_load(model: keras.Model, image: Image.Image) -> RoundTrip:
    """Save to .keras in a temporary folder, load back in safe mode, compare the outputs."""
    pixels = np.asarray(image.convert("RGB"), dtype=np.float32)[None]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "lrn_demo.keras"
        model.save(path)
        loaded = keras.saving.load_model(path, safe_mode=True)
        size = path.stat().st_size
    original = ops.convert_to_numpy(model(pixels)[1])
    restored = ops.convert_to_numpy(loaded(pixels)[1])
    layer = loaded.get_layer("lrn")
    return RoundTrip(size, layer.get_config(), float(np.abs(original - restored).max()),
                     f"{type(layer).__module__}.{type(layer).__name__}")


def to_pixels(feature_map: np.ndarray) -> np.ndarray:
    """A 2-D map as an 8-bit grey image stretched from its minimum (black) to its maximum."""
    low, high = float(feature_map.min()), float(feature_map.max())
    scaled = (feature_map - low) / (high - low) if high > low else np.zeros_like(feature_map)
    return (scaled * 255).astype(np.uint8)


def before_after(before: np.ndarray, after: np.ndarray, gap: int = 4) -> np.ndarray:
    """Two maps side by side as one grey image (each stretched on its own), a white gap between."""
    spacer = np.full((before.shape[0], gap), 255, np.uint8)
    return np.hstack([to_pixels(before), spacer, to_pixels(after)])
