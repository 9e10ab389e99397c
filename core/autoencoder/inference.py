"""Running the shipped autoencoders: reconstructions and their errors, the encoder alone (codes),
the decoder alone (images drawn from codes), interpolations, and the anomaly score's groups.

Everything takes float images (N, 28, 28, 1) in [0, 1] and returns numpy arrays or frames.
"""

from __future__ import annotations

import keras
import numpy as np
import pandas as pd

from core.autoencoder import data, metrics
from core.autoencoder.model import parts
from core.i18n import N_

# The anomaly score's groups of images, keyed as `anomaly_groups` returns them (translated where
# shown)
GROUPS = {"digits": N_("digits"), "clothes": N_("clothes"), "random noise": N_("random noise"),
          "your image": N_("your image")}


def reconstruct(model: keras.Model, images: np.ndarray,
                clean: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(reconstructions, per-image BCE against `clean`, default the inputs themselves)."""
    images = np.asarray(images, np.float32)
    output = np.asarray(model(images, training=False))
    return output, metrics.per_image_bce(images if clean is None else clean, output)


def encode(model: keras.Model, images: np.ndarray) -> np.ndarray:
    """The encoder alone: each image's code (N, code size)."""
    encoder, _decoder = parts(model)
    return np.asarray(encoder(np.asarray(images, np.float32), training=False))


def decode(model: keras.Model, codes) -> np.ndarray:
    """The decoder alone: images (N, 28, 28, 1) drawn from codes (N, code size)."""
    _encoder, decoder = parts(model)
    return np.asarray(decoder(np.asarray(codes, np.float32).reshape(-1, decoder.input_shape[-1]),
                              training=False))


def latent_frame(model: keras.Model, images: np.ndarray, labels: np.ndarray,
                 class_names: list[str]) -> pd.DataFrame:
    """The 2-d codes of images, one row each, for a scatter plot."""
    codes = encode(model, images)
    return pd.DataFrame({"index": np.arange(len(codes)), "z1": codes[:, 0], "z2": codes[:, 1],
                         "class": [class_names[int(y)] for y in labels]})


def interpolate(model: keras.Model, a: np.ndarray, b: np.ndarray, steps: int = 8) -> np.ndarray:
    """Decoded images along the straight line between the codes of images a and b."""
    za, zb = encode(model, np.stack([a, b]))
    t = np.linspace(0, 1, steps)[:, None]
    return decode(model, (1 - t) * za + t * zb)


def denoised(denoiser: keras.Model, plain: keras.Model | None, clean: np.ndarray, noise: float,
             seed: int = 1) -> dict:
    """Clean images with noise added, the denoiser's output and its errors against the clean
    images, and (given a plain autoencoder, never shown noise) the plain one's errors."""
    dirty = data.add_noise(clean, noise, seed)
    cleaned, errors = reconstruct(denoiser, dirty, clean)
    plain_errors = reconstruct(plain, dirty, clean)[1] if plain is not None else None
    return {"clean": clean, "dirty": dirty, "cleaned": cleaned, "errors": errors,
            "plain_errors": plain_errors}


def outsider_errors(digit_model: keras.Model, clothes: np.ndarray | None,
                    noise_images: int = 100) -> dict[str, np.ndarray]:
    """The digit model's per-image errors on images unlike its training data: clothes (when
    given) and uniform noise."""
    groups = {}
    if clothes is not None:
        groups["clothes"] = reconstruct(digit_model, clothes)[1]
    groups["random noise"] = reconstruct(digit_model, data.random_noise(noise_images))[1]
    return groups


def anomaly_groups(percentiles: list[float], outsiders: dict[str, np.ndarray],
                   mine: np.ndarray | None = None) -> dict[str, np.ndarray]:
    """The anomaly chart's groups, keyed as in GROUPS: the validation digits (their card's
    percentile table stands for their spread), the outsiders, and the student's own image's
    error when there is one."""
    groups = {"digits": np.asarray(percentiles), **outsiders}
    if mine is not None:
        groups["your image"] = np.atleast_1d(mine)
    return groups
