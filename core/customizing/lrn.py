"""Local Response Normalization as serializable Keras layers (written with `keras.ops` only, so
they run on any backend), three ways, and a demo that shows what each one divides by.

- `LocalResponseNormalization`: the book's layer, as the Japanese edition's code writes it
  (`ch07/custom_layer_normalize.py`, "WITHIN_CHANNEL"). Each channel is divided by
  ``(k + alpha * m) ** beta``, where ``m`` is the mean of *that channel's* squared activations
  in the n×n window around the pixel. Channels never mix.
- `ChannelSumLRN`: the English edition's version (`Chapter07/tf-keras-func.py`), a variant:
  the squares are averaged over a smaller ``(n // 2)×(n // 2)`` window, *summed over all
  channels* and scaled by ``alpha / n``; every channel shares one divisor.
- `AcrossChannelLRN`: AlexNet's original (Krizhevsky, Sutskever & Hinton 2012, section 3.3),
  which `tf.nn.local_response_normalization` computes: at each pixel, the squares of the n
  neighbouring channels (n // 2 on each side) are summed, with no spatial window at all.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

import keras
import numpy as np
from keras import layers, ops
from PIL import Image

from core.i18n import N_


class LRNBase(layers.Layer):
    """Divide each activation by (k + alpha · local energy) ** beta; channels-last images.
    Subclasses say what the local energy is (`divisor`)."""

    def __init__(self, n: int = 5, alpha: float = 0.0005, beta: float = 0.75, k: float = 2.0,
                 **kwargs):
        super().__init__(**kwargs)
        if int(n) != n or n < 1:
            raise ValueError(f"n must be a positive whole number, got {n}")
        if k <= 0 or alpha < 0:
            raise ValueError(f"need k > 0 and alpha >= 0, got k={k}, alpha={alpha}")
        self.n, self.alpha, self.beta, self.k = int(n), float(alpha), float(beta), float(k)

    def call(self, inputs):
        return inputs / self.divisor(inputs)

    def divisor(self, inputs):
        raise NotImplementedError

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "n": self.n, "alpha": self.alpha, "beta": self.beta,
                "k": self.k}


@keras.saving.register_keras_serializable(package="customizing")
class LocalResponseNormalization(LRNBase):
    """The book's LRN (Japanese edition): each channel by its own n×n mean of squares."""

    def divisor(self, inputs):
        """(k + alpha · mean of the channel's squares in the n×n window) ** beta, per channel."""
        mean = ops.average_pool(ops.square(inputs), pool_size=self.n, strides=1,
                                padding="same", data_format="channels_last")
        return ops.power(self.k + self.alpha * mean, self.beta)


@keras.saving.register_keras_serializable(package="customizing")
class ChannelSumLRN(LRNBase):
    """The English edition's LRN: a (n//2)×(n//2) mean of squares, summed over channels."""

    def __init__(self, n: int = 5, alpha: float = 0.0005, beta: float = 0.75, k: float = 2.0,
                 **kwargs):
        super().__init__(n, alpha, beta, k, **kwargs)
        if self.n < 2:
            raise ValueError(f"this layer pools over n // 2 pixels, so n must be 2 or more, "
                             f"got {n}")

    def divisor(self, inputs):
        """(k + alpha / n · sum over channels of the (n//2)² means of squares) ** beta, one
        divisor for every channel, shape (B, H, W, 1)."""
        mean = ops.average_pool(ops.square(inputs), pool_size=self.n // 2, strides=1,
                                padding="same", data_format="channels_last")
        energy = ops.sum(mean, axis=-1, keepdims=True)
        return ops.power(self.k + self.alpha / self.n * energy, self.beta)


@keras.saving.register_keras_serializable(package="customizing")
class AcrossChannelLRN(LRNBase):
    """AlexNet's LRN: at each pixel, the sum of squares of the n neighbouring channels."""

    def __init__(self, n: int = 5, alpha: float = 0.0005, beta: float = 0.75, k: float = 2.0,
                 **kwargs):
        super().__init__(n, alpha, beta, k, **kwargs)
        if self.n % 2 == 0:
            raise ValueError(f"n counts the channel itself and n // 2 on each side, so it must "
                             f"be odd, got {n}")

    def divisor(self, inputs):
        """(k + alpha · sum of squares over channels c - n//2 … c + n//2) ** beta."""
        radius, channels = self.n // 2, inputs.shape[-1]
        padding = [[0, 0]] * (len(inputs.shape) - 1) + [[radius, radius]]
        squares = ops.pad(ops.square(inputs), padding)
        energy = sum(squares[..., i:i + channels] for i in range(self.n))
        return ops.power(self.k + self.alpha * energy, self.beta)


@dataclass(frozen=True)
class Variant:
    layer: type[LRNBase]
    title: str  # marked N_(): the page shows _(title)
    source: str  # where it comes from


VARIANTS = {
    "book": Variant(LocalResponseNormalization, N_("the book's: within each channel"),
                    "ch07/custom_layer_normalize.py (Japanese edition)"),
    "english": Variant(ChannelSumLRN, N_("a variant: summed over all channels"),
                       "Chapter07/tf-keras-func.py (English edition)"),
    "alexnet": Variant(AcrossChannelLRN, N_("AlexNet's: across neighbouring channels"),
                       "Krizhevsky, Sutskever & Hinton 2012; tf.nn.local_response_normalization"),
}


# --- demo: a conv layer with readable filters, before and after LRN ---------------------------

FILTERS = (N_("vertical edges"), N_("horizontal edges"), N_("diagonal edges"), N_("spots"),
           N_("red"), N_("green"), N_("blue"), N_("brightness"))


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


def build_demo_model(variant: str = "book", n: int = 5, alpha: float = 0.0005,
                     beta: float = 0.75, k: float = 2.0) -> keras.Model:
    """RGB (0–255) → Conv2D(8, 3×3, relu) with fixed filters → LRN; outputs both stages."""
    image = keras.Input(shape=(None, None, 3), name="image")
    conv = layers.Conv2D(len(FILTERS), 3, padding="same", activation="relu", name="conv")
    features = conv(image)
    normalized = VARIANTS[variant].layer(n, alpha, beta, k, name="lrn")(features)
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
    divisor: np.ndarray  # (H, W, C): what LRN divided each activation by


def feature_maps(model: keras.Model, image: Image.Image) -> FeatureMaps:
    pixels = np.asarray(image.convert("RGB"), dtype=np.float32)[None]
    before, after = model(pixels)
    divisor = ops.broadcast_to(model.get_layer("lrn").divisor(before), ops.shape(before))
    return FeatureMaps(*(ops.convert_to_numpy(t)[0] for t in (before, after, divisor)))


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


def side_by_side(*maps: np.ndarray, gap: int = 4) -> np.ndarray:
    """Maps side by side as one grey image (each stretched on its own), white gaps between."""
    spacer = np.full((maps[0].shape[0], gap), 255, np.uint8)
    row = [to_pixels(maps[0])]
    for feature_map in maps[1:]:
        row += [spacer, to_pixels(feature_map)]
    return np.hstack(row)
