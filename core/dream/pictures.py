"""Pictures in and out of a dream: a generated stand-in for a photo, and PNG bytes."""

from __future__ import annotations

import io

import numpy as np
from PIL import Image


def generated_picture(side: int = 512, seed: int = 0) -> Image.Image:
    """A generated stand-in for a photo: soft colour waves, a few discs and sensor noise."""
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:side, 0:side] / side
    rgb = np.stack([0.5 + 0.35 * np.sin(6 * xx + 1), 0.5 + 0.35 * np.cos(5 * yy),
                    0.5 + 0.3 * np.sin(4 * (xx + yy))], axis=-1)
    for __ in range(6):
        cy, cx, r = rng.uniform(0.15, 0.85), rng.uniform(0.15, 0.85), rng.uniform(0.05, 0.15)
        disc = (yy - cy) ** 2 + (xx - cx) ** 2 < r ** 2
        rgb[disc] = rng.uniform(0.1, 0.9, 3)
    rgb += rng.normal(0, 0.03, rgb.shape)
    return Image.fromarray((np.clip(rgb, 0, 1) * 255).astype(np.uint8))


def png_bytes(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def png_image(png: bytes) -> Image.Image:
    return Image.open(io.BytesIO(png))
