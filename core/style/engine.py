"""Style transfer as optimisation: start from the photo and change its pixels, step by step, so
that a fixed pretrained CNN finds the photo's content and the style image's textures in them.

The image is float RGB in 0–255 throughout (the backbone converts it), so that a learning rate
is a number of grey levels. One `tf.function` with an input signature serves every image size
without retracing; the two optimisers are written out in `keras.ops` below.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import tensorflow as tf
from keras import ops

from core.style import book, losses

OBJECTIVES = {"lab": (losses.objective, losses.gram_matrix),
              "book": (book.objective, book.gram_matrix)}
TERMS = ("content", "style", "smoothness")  # the order of the objective's three terms
PAD = 8  # pixels of reflection around the image before the backbone sees it


@dataclass(frozen=True)
class Settings:
    """What a run does; the defaults are the lab's recipe, under 10 s for a 256-px result on the
    shared 2-core server, one thread per operation (`python -m core bench style`)."""

    content_layer: str
    style_layers: dict[str, float] = field(hash=False)  # layer name -> share of the style weight
    content_weight: float = 1.0
    style_weight: float = 10.0
    tv_weight: float = 10.0
    steps: int = 45
    optimizer: str = "adam"  # or "gd": plain gradient descent, the book's
    learning_rate: float = 8.0  # Adam: grey levels per step
    objective: str = "lab"  # or "book": the book's sums and normalisations

    def style_weights(self) -> list[float]:
        """The style weight shared out among the style layers: the lab by the layers' own
        weights, the book equally (its 0.1 / 5)."""
        shares = list(self.style_layers.values())
        if self.objective == "book":
            return [self.style_weight / len(shares)] * len(shares)
        total = sum(shares)
        return [self.style_weight * s / total for s in shares]


class Cancelled(Exception):
    """The caller asked the style transfer to stop."""


# step, its three weighted losses, a preview (uint8 RGB) or None -> False to stop
Progress = Callable[[int, np.ndarray, "np.ndarray | None"], "bool | None"]


def adam(image, grads, m, v, t, learning_rate):
    """Adam: each pixel moves about `learning_rate` grey levels per step, whatever the scale of
    its gradient, because the step is divided by the gradient's own running size."""
    m = 0.9 * m + 0.1 * grads
    v = 0.999 * v + 0.001 * ops.square(grads)
    m_hat, v_hat = m / (1.0 - 0.9**t), v / (1.0 - 0.999**t)
    return image - learning_rate * m_hat / (ops.sqrt(v_hat) + 1e-8), m, v


def gradient_descent(image, grads, m, v, t, learning_rate):
    """Plain gradient descent, the book's `image -= learning_rate * grads`: the step is as
    large as the gradient, so one learning rate suits one loss scale only."""
    return image - learning_rate * grads, m, v


OPTIMIZERS = {"adam": adam, "gd": gradient_descent}


class Stylizer:
    """The compiled step of one backbone, content layer and list of style layers."""

    def __init__(self, extractor, style_layers: int, objective: str = "lab",
                 optimizer: str = "adam", *, compiled: bool = True):
        self.extractor = extractor  # outputs: the content layer, then the style layers
        self.objective, self.gram = OBJECTIVES[objective]
        self.update = OPTIMIZERS[optimizer]
        step = self._step
        if compiled:
            image = tf.TensorSpec((1, None, None, 3), tf.float32)
            scalar = tf.TensorSpec((), tf.float32)
            spec = [image, image, image, scalar, scalar,
                    tf.TensorSpec((1, None, None, None), tf.float32),
                    [tf.TensorSpec((None, None), tf.float32)] * style_layers,
                    scalar, tf.TensorSpec((style_layers,), tf.float32), scalar]
            step = tf.function(step, input_signature=spec, reduce_retracing=True)
        self.step = step

    def features(self, image):
        """(content layer's features, [style layers' features]) of a 0–255 image.

        The image is padded by reflection first: the backbone's first convolution has no
        padding of its own and would leave the last row and column without any gradient."""
        image = ops.pad(image, ((0, 0), (PAD, PAD), (PAD, PAD), (0, 0)), mode="reflect")
        outputs = self.extractor(image / 127.5 - 1.0, training=False)
        outputs = outputs if isinstance(outputs, list | tuple) else [outputs]
        return outputs[0], list(outputs[1:])

    def targets(self, content, style):
        """What the result aims for: the photo's content features, the style image's Grams."""
        return self.features(content)[0], [self.gram(f) for f in self.features(style)[1]]

    def losses(self, image, targets, content_weight, style_weights, tv_weight) -> np.ndarray:
        """The three weighted losses of an image, without a step."""
        parts = self.objective(image, self.features(image), targets, content_weight,
                               style_weights, tv_weight)
        return np.asarray(parts)

    def _step(self, image, m, v, t, learning_rate, content_target, grams, content_weight,
              style_weights, tv_weight):
        with tf.GradientTape() as tape:
            tape.watch(image)
            parts = self.objective(image, self.features(image), (content_target, grams),
                                   content_weight, style_weights, tv_weight)
            loss = ops.sum(parts)
        grads = tape.gradient(loss, image)
        image, m, v = self.update(image, grads, m, v, t, learning_rate)
        return ops.clip(image, 0.0, 255.0), m, v, parts


def run(stylizer: Stylizer, content: np.ndarray, style: np.ndarray, settings: Settings, *,
        progress: Progress | None = None, cancel: threading.Event | None = None,
        preview_every: int = 5) -> tuple[np.ndarray, np.ndarray]:
    """Style transfer on uint8 RGB arrays; returns the result (float32 in 0–255, unrounded,
    the content's shape) and the weighted losses of every step, shape (steps + 1, 3): before
    each step, then at the end.

    `progress(step, losses, preview)` is called after every step, with a preview every
    `preview_every` steps and at the last; returning False (or setting `cancel`) raises
    `Cancelled`.
    """
    image = tf.constant(content[None].astype(np.float32))
    targets = stylizer.targets(image, tf.constant(style[None].astype(np.float32)))
    weights = (tf.constant(settings.content_weight, tf.float32),
               tf.constant(settings.style_weights(), tf.float32),
               tf.constant(settings.tv_weight, tf.float32))
    m = v = tf.zeros_like(image)
    learning_rate = tf.constant(settings.learning_rate, tf.float32)
    history = []
    for step in range(settings.steps):
        t = tf.constant(step + 1, tf.float32)
        image, m, v, parts = stylizer.step(image, m, v, t, learning_rate, *targets, *weights)
        history.append(np.asarray(parts))
        if cancel is not None and cancel.is_set():
            raise Cancelled
        last = step == settings.steps - 1
        preview = to_uint8(image) if last or (step + 1) % preview_every == 0 else None
        if progress is not None and progress(step, history[-1], preview) is False:
            raise Cancelled
    history.append(stylizer.losses(image, targets, *weights))
    return np.asarray(image)[0], np.stack(history)


def to_uint8(image) -> np.ndarray:
    return np.clip(np.asarray(image)[0], 0, 255).round().astype(np.uint8)
