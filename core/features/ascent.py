"""Feature visualization by gradient ascent from noise (after Olah et al., "Feature
Visualization", distill.pub 2017): for each chosen channel of a layer, the image that makes
that channel's mean activation as large as it can.

Plain gradient ascent on pixels finds high-frequency noise that excites a channel but that no
one can read. Two things make the pictures readable, and both are here:

- a frequency penalty built into the image itself: the image is kept as a Fourier spectrum
  whose coefficients are scaled by 1/frequency^decay, so a step changes coarse patterns much
  more than pixel-level noise (decay 0 is plain pixels);
- jitter: every step looks at the image rolled by a random shift of a few pixels, so only
  patterns that excite the channel wherever they sit survive.

All channels are optimized at once, one image per channel in a batch.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import keras
import numpy as np
import tensorflow as tf

# ImageNet's colour correlations (as in Lucid): the image is optimized in decorrelated
# colours, so that one step does not push red, green and blue apart.
_COLOUR = np.array([[0.26, 0.09, 0.02], [0.27, 0.00, -0.05], [0.27, -0.09, 0.03]], np.float32)
_COLOUR /= np.max(np.linalg.norm(_COLOUR, axis=0))


@dataclass(frozen=True)
class Settings:
    layer: str
    channels: tuple[int, ...]
    size: int = 96  # pixels
    steps: int = 96
    learning_rate: float = 0.05  # Adam, on the image's spectrum
    jitter: int = 6  # largest random shift per step, in pixels (0: none)
    decay: float = 1.0  # the frequency penalty: spectrum scaled by 1/f^decay (0: plain pixels)
    seed: int = 0


Progress = Callable[[int, np.ndarray], None]  # (steps done, images so far) ; may raise to stop


def _spectrum_scale(size: int, decay: float) -> np.ndarray:
    """Each Fourier coefficient's weight: 1/frequency^decay (times size, as in Lucid, so that
    the inverse transform's 1/size² leaves pixels of a sensible size)."""
    fy = np.fft.fftfreq(size)[:, None]
    fx = np.fft.rfftfreq(size)[None, :]
    freq = np.maximum(np.sqrt(fx ** 2 + fy ** 2), 1.0 / size)
    return (size / freq ** decay).astype(np.float32)


class Visualizer:
    """Compiled ascent for one feature extractor (a model returning one layer's activations).

    The image is a variable: its Fourier spectrum (k, 3, size, size/2 + 1, 2) with the
    frequency penalty, or with `decay` 0 its pixels (k, size, size, 3); either way in
    decorrelated colours before a sigmoid."""

    def __init__(self, extractor):
        self.extractor = extractor

    @staticmethod
    def images(variable, scale, size: int):
        """The batch of images, in [-1, 1] RGB, that the variable stands for."""
        if len(variable.shape) == 5:
            real, imag = variable[..., 0] * scale, variable[..., 1] * scale
            planes = tf.signal.irfft2d(tf.complex(real, imag), [size, size]) / 4.0
            flat = tf.transpose(planes, (0, 2, 3, 1))
        else:
            flat = variable
        colours = tf.tensordot(flat, tf.constant(_COLOUR.T), 1)
        return tf.sigmoid(colours) * 2.0 - 1.0

    def run(self, settings: Settings, progress: Progress | None = None,
            every: int = 8) -> tuple[np.ndarray, np.ndarray]:
        """(uint8 images (k, size, size, 3), each channel's mean activation on its image)."""
        rng = np.random.default_rng(settings.seed)
        k, size = len(settings.channels), settings.size
        scale = tf.constant(_spectrum_scale(size, settings.decay))
        shape = (k, 3, size, size // 2 + 1, 2) if settings.decay else (k, size, size, 3)
        image = keras.Variable(0.01 * rng.standard_normal(shape).astype(np.float32),
                               name="image")
        adam = keras.optimizers.Adam(settings.learning_rate)  # each run owns its state
        adam.build([image])
        channels = tf.constant(np.asarray(settings.channels, np.int32))

        @tf.function(reduce_retracing=True)
        def step(shift):
            with tf.GradientTape() as tape:
                rolled = tf.roll(self.images(image, scale, size), shift, axis=(1, 2))
                acts = self.extractor(rolled, training=False)
                mine = tf.gather(acts, channels[:, None], axis=3, batch_dims=1)  # (k, h, w, 1)
                score = tf.reduce_mean(mine, axis=(1, 2, 3))
                loss = -tf.reduce_sum(score)
            adam.apply_gradients([(tape.gradient(loss, image), image)])
            return score

        limit = settings.jitter
        for done in range(1, settings.steps + 1):
            shift = rng.integers(-limit, limit + 1, 2) if limit else np.zeros(2, np.int64)
            score = step(tf.constant(shift.astype(np.int32)))
            if progress is not None and (done % every == 0 or done == settings.steps):
                progress(done, self._uint8(image, scale, size))
        return self._uint8(image, scale, size), score.numpy()

    def _uint8(self, spectrum, scale, size: int) -> np.ndarray:
        pixels = (self.images(spectrum, scale, size).numpy() + 1.0) * 127.5
        return np.clip(np.rint(pixels), 0, 255).astype(np.uint8)
