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
    """A generator compiled once for any number of latent points: uint8 digits."""

    def __init__(self, generator):
        self.generator = generator
        self.latent = generator.input_shape[-1]
        self._call = tf.function(lambda z: generator(z, training=False), input_signature=[
            tf.TensorSpec((None, self.latent), tf.float32)], reduce_retracing=True)

    def digits(self, z: np.ndarray, batch_size: int = 1024) -> np.ndarray:
        """uint8 (N, 28, 28) digits, white on black, for latent points z (N, latent)."""
        z = np.asarray(z, np.float32).reshape(-1, self.latent)
        parts = [self._call(z[i:i + batch_size]).numpy() for i in range(0, len(z), batch_size)]
        return data.to_uint8(np.concatenate(parts) if parts else np.zeros((0, 28, 28, 1)))

    def for_seed(self, n: int, seed: int) -> np.ndarray:
        return self.digits(latents(n, seed, self.latent))

    def walk(self, seed_a: int, seed_b: int, steps: int) -> np.ndarray:
        """Digits along the way from seed a's first latent point to seed b's."""
        a, b = latents(1, seed_a, self.latent)[0], latents(1, seed_b, self.latent)[0]
        return self.digits(slerp(a, b, steps))
