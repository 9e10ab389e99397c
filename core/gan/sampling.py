"""Drawing digits from the shipped generator: latent points for a seed, a compiled sampler,
and walks between two latent points."""

from __future__ import annotations

import numpy as np
import tensorflow as tf

from core.gan import data

MAX_DIGITS = 10_000  # one call to `generate`: 7.8 MB of uint8


def latents(n: int, seed: int, latent: int) -> np.ndarray:
    """n standard normal latent points for a seed (the same seed, the same points)."""
    return np.random.default_rng(seed).standard_normal((n, latent), np.float32)


def slerp(a: np.ndarray, b: np.ndarray, steps: int) -> np.ndarray:
    """`steps` points from a to b along the great circle (a straight line would pass through
    the low-norm middle of a Gaussian, where the generator has rarely been)."""
    t = np.linspace(0.0, 1.0, steps, dtype=np.float32)[:, None]
    cos = np.dot(a, b) / (np.linalg.norm(a) * np.linalg.norm(b))
    angle = np.arccos(np.clip(cos, -1.0, 1.0))
    if angle < 1e-4:
        return (1 - t) * a + t * b
    return (np.sin((1 - t) * angle) * a + np.sin(t * angle) * b) / np.sin(angle)


class Sampler:
    """A generator compiled once for any number of latent points: uint8 digits. A conditional
    generator also takes the digit to draw for each point."""

    def __init__(self, generator):
        self.generator = generator
        self.conditional = len(generator.inputs) == 2
        self.latent = generator.inputs[0].shape[-1]
        specs = [tf.TensorSpec((None, self.latent), tf.float32)]
        if self.conditional:
            specs.append(tf.TensorSpec((None, 1), tf.int32))
        self._call = tf.function(lambda *inputs: generator(list(inputs) if self.conditional
                                                           else inputs[0], training=False),
                                 input_signature=specs, reduce_retracing=True)

    def digits(self, z: np.ndarray, asked: np.ndarray | None = None,
               batch_size: int = 1024) -> np.ndarray:
        """uint8 (N, 28, 28) digits, white on black, for latent points z (N, latent); a
        conditional generator draws the digits `asked` (N,) (default 0, 1, …, 9, 0, …)."""
        z = np.asarray(z, np.float32).reshape(-1, self.latent)
        if self.conditional and asked is None:
            asked = np.arange(len(z)) % 10
        parts = []
        for i in range(0, len(z), batch_size):
            inputs = [z[i:i + batch_size]]
            if self.conditional:
                inputs.append(np.asarray(asked[i:i + batch_size], np.int32).reshape(-1, 1))
            parts.append(self._call(*inputs).numpy())
        return data.to_uint8(np.concatenate(parts) if parts else np.zeros((0, 28, 28, 1)))

    def for_seed(self, n: int, seed: int, digit: int | None = None) -> np.ndarray:
        """n digits for a seed; a conditional generator draws `digit` (None: 0, 1, …, 9, 0, …)."""
        asked = None if digit is None else np.full(n, digit)
        return self.digits(latents(n, seed, self.latent), asked)

    def walk(self, seed_a: int, seed_b: int, steps: int, digit: int | None = None) -> np.ndarray:
        """Digits along the way from seed a's first latent point to seed b's (a conditional
        generator drawing `digit` all along: the style changes, not the digit)."""
        a, b = latents(1, seed_a, self.latent)[0], latents(1, seed_b, self.latent)[0]
        asked = None if digit is None else np.full(steps, digit)
        return self.digits(slerp(a, b, steps), asked)
