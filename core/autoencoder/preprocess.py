"""Turn any uploaded picture or canvas drawing into a 28×28 MNIST-style image.

MNIST's recipe (LeCun et al.): white strokes on black, the strokes' bounding box scaled to
fit 20×20 (aspect kept, anti-aliased), then placed in a 28×28 field so that the centre of
mass sits at the centre.
"""

from __future__ import annotations

import numpy as np
from PIL import Image

from core.images import ImageError, fit_within, open_image

WORK_SIDE = 512  # big uploads are shrunk first: the result is 28×28 anyway
BOX = 20
SIDE = 28
INK = 0.2  # fraction of the brightest stroke that counts as ink for the bounding box


def from_bytes(data: bytes) -> np.ndarray:
    """Uploaded file bytes -> (28, 28) float32 in [0, 1]; ImageError when unusable."""
    img = fit_within(open_image(data), WORK_SIDE)
    gray = np.asarray(img.convert("L"), np.float32) / 255.0
    return from_gray(gray, dark_background=None)


def from_canvas(rgba: np.ndarray) -> np.ndarray:
    """A drawing canvas' RGBA array (light strokes on a dark or transparent background)."""
    rgba = np.asarray(rgba, np.float32)
    if rgba.ndim != 3 or rgba.shape[2] < 3:
        raise ImageError("The drawing has an unexpected shape.")
    alpha = rgba[..., 3] / 255.0 if rgba.shape[2] == 4 else 1.0
    gray = rgba[..., :3].max(axis=2) / 255.0 * alpha
    return from_gray(gray, dark_background=True)


def from_gray(gray: np.ndarray, *, dark_background: bool | None) -> np.ndarray:
    """A grayscale array in [0, 1] -> the MNIST-style (28, 28) image.

    `dark_background=None` guesses from the border: a light border means dark ink on paper,
    which is inverted."""
    gray = np.asarray(gray, np.float32)
    border = np.concatenate([gray[0], gray[-1], gray[:, 0], gray[:, -1]])
    background = float(np.median(border))
    if dark_background is None:
        dark_background = background < 0.5
    if not dark_background:
        gray, background = 1.0 - gray, 1.0 - background
    ink = np.clip(gray - background, 0, None)
    peak = float(ink.max())
    if peak < 0.1:
        raise ImageError("No strokes found: the picture is blank or has almost no contrast.")
    ink /= peak
    return centre(crop(ink))


def crop(ink: np.ndarray) -> np.ndarray:
    rows = np.flatnonzero((ink > INK).any(axis=1))
    cols = np.flatnonzero((ink > INK).any(axis=0))
    box = ink[rows[0]: rows[-1] + 1, cols[0]: cols[-1] + 1]
    return np.where(box > INK / 2, box, 0)  # faint specks outside strokes are paper, not ink


def centre(box: np.ndarray) -> np.ndarray:
    """Fit into 20×20 keeping the aspect ratio, then centre by mass in 28×28."""
    h, w = box.shape
    scale = BOX / max(h, w)
    size = (max(1, round(w * scale)), max(1, round(h * scale)))
    small = Image.fromarray((box * 255).astype(np.uint8)).resize(size, Image.LANCZOS)
    glyph = np.asarray(small, np.float32) / 255.0
    mass = glyph.sum()
    ys, xs = np.indices(glyph.shape)
    cy, cx = (ys * glyph).sum() / mass, (xs * glyph).sum() / mass
    top = int(round((SIDE - 1) / 2 - cy))  # pixel centres: the middle is at index 13.5
    left = int(round((SIDE - 1) / 2 - cx))
    # Keep the glyph inside the field even when its mass sits far off-centre.
    top = min(max(top, 0), SIDE - glyph.shape[0])
    left = min(max(left, 0), SIDE - glyph.shape[1])
    out = np.zeros((SIDE, SIDE), np.float32)
    out[top: top + glyph.shape[0], left: left + glyph.shape[1]] = glyph
    return np.clip(out, 0, 1)
