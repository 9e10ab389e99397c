"""Multi-octave Deep Dream: compiled gradient ascent with jitter and detail reinjection.

The image lives in [-1, 1] RGB throughout (the backbone converts it); each octave is a fixed
shape, and one `tf.function` with an input signature serves every shape without retracing.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import tensorflow as tf

# One dream at a time per process, so that a class sharing one server stays responsive.
DREAM_LOCK = threading.Lock()
MIN_SIDE = 32  # below this the deepest SqueezeNet layers see almost nothing


@dataclass
class Settings:
    layers: dict[str, float]  # layer name -> loss weight
    octaves: int = 3
    octave_scale: float = 1.4
    steps: int = 20
    step_size: float = 0.01
    max_loss: float | None = None  # stop an octave once the loss passes this
    jitter: int = 16  # largest random shift, in pixels
    seed: int = 0
    min_side: int = MIN_SIDE  # no octave smaller than this (the backbone's smallest input)


class Cancelled(Exception):
    """The caller asked the dream to stop."""


Progress = Callable[[int, int, float, np.ndarray], "bool | None"]  # octave, step, loss, preview


def octave_shapes(height: int, width: int, octaves: int, scale: float,
                  min_side: int = MIN_SIDE) -> list[tuple[int, int]]:
    """Shapes from the smallest octave up to the full size (never below min_side)."""
    shapes = []
    for i in reversed(range(octaves)):
        f = scale ** i
        shapes.append((max(min_side, round(height / f)), max(min_side, round(width / f))))
    return shapes


def jitter_shifts(rng: np.random.Generator, steps: int, limit: int) -> np.ndarray:
    """Random (dy, dx) rolls, one per step, each in [-limit, limit]."""
    return rng.integers(-limit, limit + 1, size=(steps, 2), dtype=np.int32)


def to_unit(rgb: np.ndarray) -> np.ndarray:
    """uint8 RGB (H, W, 3) -> float32 batch (1, H, W, 3) in [-1, 1]."""
    return (rgb.astype(np.float32) / 127.5 - 1.0)[None]


def to_uint8(img) -> np.ndarray:
    arr = np.asarray(img)[0]
    return np.clip((arr + 1.0) * 127.5, 0, 255).round().astype(np.uint8)


class Dreamer:
    """Gradient ascent on the weighted mean squared activations of chosen layers."""

    def __init__(self, extractor, weights: list[float], *, compiled: bool = True):
        self.extractor = extractor
        self.weights = tf.constant(weights, tf.float32)
        step = self._step
        if compiled:
            spec = [tf.TensorSpec((1, None, None, 3), tf.float32),
                    tf.TensorSpec((2,), tf.int32), tf.TensorSpec((), tf.float32)]
            step = tf.function(step, input_signature=spec, reduce_retracing=True)
        self.step = step

    def loss(self, img):
        acts = self.extractor(img, training=False)
        acts = acts if isinstance(acts, list | tuple) else [acts]
        terms = tf.stack([tf.reduce_mean(tf.square(a)) for a in acts])
        return tf.reduce_sum(terms * self.weights)

    def _step(self, img, shift, step_size):
        # Rolling the image by a random shift before each step keeps tiling artifacts away.
        rolled = tf.roll(img, shift, axis=(1, 2))
        with tf.GradientTape() as tape:
            tape.watch(rolled)
            loss = self.loss(rolled)
        grads = tape.gradient(loss, rolled)
        grads /= tf.reduce_mean(tf.abs(grads)) + 1e-8
        rolled = tf.clip_by_value(rolled + step_size * grads, -1.0, 1.0)
        return tf.roll(rolled, -shift, axis=(1, 2)), loss


def _resize(img, shape):
    return tf.image.resize(img, shape, method="bicubic")


def run(dreamer: Dreamer, rgb: np.ndarray, settings: Settings, *,
        progress: Progress | None = None, cancel: threading.Event | None = None) -> np.ndarray:
    """Dream on a uint8 RGB array; returns a uint8 RGB array of the same size.

    `progress(octave, step, loss, preview)` is called after every step; returning False (or
    setting `cancel`) raises `Cancelled`.
    """
    rng = np.random.default_rng(settings.seed)
    original = tf.constant(to_unit(rgb))
    shapes = octave_shapes(rgb.shape[0], rgb.shape[1], settings.octaves, settings.octave_scale,
                           settings.min_side)
    img = _resize(original, shapes[0])
    shrunk = img
    step_size = tf.constant(settings.step_size, tf.float32)
    for octave, shape in enumerate(shapes):
        if octave:
            # Upscaling blurs: add back the detail that the smaller octave lost.
            img = _resize(img, shape)
            same_size = _resize(original, shape)
            img = img + same_size - _resize(shrunk, shape)
            shrunk = same_size
        for step, shift in enumerate(jitter_shifts(rng, settings.steps, settings.jitter)):
            img, loss = dreamer.step(img, tf.constant(shift), step_size)
            loss = float(loss)
            stop = settings.max_loss is not None and loss > settings.max_loss
            if cancel is not None and cancel.is_set():
                raise Cancelled
            if progress is not None and progress(octave, step, loss, to_uint8(img)) is False:
                raise Cancelled
            if stop:
                break
    if tuple(img.shape[1:3]) != rgb.shape[:2]:  # a photo below min_side was dreamed larger
        img = _resize(img, rgb.shape[:2])
    return to_uint8(img)
