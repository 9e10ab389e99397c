"""Multi-octave Deep Dream: compiled gradient ascent with jitter and detail reinjection, from
a photo to a dream, and a dream as work for the server's shared queue (`core.jobs`).

The image lives in [-1, 1] RGB throughout (the backbone converts it); each octave is a fixed
shape, and one `tf.function` with an input signature serves every shape without retracing.
Dreams run one at a time because the pages queue them in `core.jobs`'s one-worker queue.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import tensorflow as tf
from PIL import Image

from core.dream import model, pictures
from core.images import fit_within

MIN_SIDE = 32  # below this the deepest SqueezeNet layers see almost nothing
DEFAULT_SIDE, MAX_SIDE = 512, 1024  # the working size: longest side while dreaming


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


def settings_for(backbone: str, preset: str = "classic", **overrides) -> Settings:
    """A backbone's preset, with any setting overridden."""
    chosen = model.BACKBONES[backbone]
    return Settings(**{**chosen.presets[preset], "min_side": chosen.min_side, **overrides})


@functools.lru_cache(maxsize=8)
def dreamer(backbone: str, weights_path: Path, layers: tuple[tuple[str, float], ...],
            compiled: bool = True) -> Dreamer:
    """A Dreamer per (backbone, layers, weights), kept so its compiled step is reused."""
    net = model.load(backbone, Path(weights_path))
    extractor = model.feature_extractor(net, tuple(name for name, _ in layers))
    return Dreamer(extractor, [w for _, w in layers], compiled=compiled)


def dream_photo(photo: Image.Image, backbone: str, weights_path: Path, settings: Settings, *,
                working_side: int = DEFAULT_SIDE, progress: Progress | None = None,
                cancel: threading.Event | None = None, compiled: bool = True) -> Image.Image:
    """Dream on an RGB photo at a working size; the result has the photo's size."""
    if not settings.layers:
        raise ValueError("Choose at least one layer to dream with.")
    side = max(MIN_SIDE, min(int(working_side), MAX_SIDE))
    small = np.asarray(fit_within(photo.convert("RGB"), side))
    run_with = dreamer(backbone, Path(weights_path), tuple(settings.layers.items()), compiled)
    result = Image.fromarray(run(run_with, small, settings, progress=progress, cancel=cancel))
    return result if result.size == photo.size else result.resize(photo.size, Image.LANCZOS)


@dataclass(frozen=True)
class DreamProgress:
    """Where a queued dream stands, as data (the page words it in the student's language)."""

    octave: int  # 1-based
    octaves: int
    step: int  # 1-based, within the octave
    steps: int
    loss: float
    past_max_loss: bool  # this octave stops here: the loss passed the limit
    image: np.ndarray  # the latest preview (the first step's, then every fifth), working size


PREVIEW_EVERY = 5  # steps between two preview images


def dream_work(photo: Image.Image, backbone: str, weights_path: Path, settings: Settings,
               side: int) -> Callable:
    """The dream as work for the server's shared queue (`core.jobs`): it reports a
    `DreamProgress` after every step, stops when its job is cancelled, and returns the dream
    as PNG bytes."""
    def work(job) -> bytes:
        total = settings.octaves * settings.steps
        latest = {}

        def progress(octave, step, loss, image):
            if not latest or (step + 1) % PREVIEW_EVERY == 0 or step == settings.steps - 1:
                latest["image"] = image
            past = bool(settings.max_loss and loss > settings.max_loss)
            job.report((octave * settings.steps + step + 1) / total, "", preview=DreamProgress(
                octave + 1, settings.octaves, step + 1, settings.steps, loss, past,
                latest["image"]))

        return pictures.png_bytes(dream_photo(photo, backbone, weights_path, settings,
                                              working_side=side, progress=progress,
                                              cancel=job.cancel_event))
    return work
