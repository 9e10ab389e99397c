"""Turn untrusted image bytes into clean RGB arrays, or a clear `ImageError`."""

from __future__ import annotations

import contextlib
import io
import warnings

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from core.catalog import UPLOAD_LIMIT_BYTES, UPLOAD_LIMIT_MB

MAX_PIXELS = 40_000_000  # refuse decompression bombs before decoding them


class ImageError(ValueError):
    """The bytes are not an image we can use; the message says why, for the user."""


def open_image(data: bytes, *, max_pixels: int = MAX_PIXELS) -> Image.Image:
    """Decode an upload: EXIF orientation applied, any mode converted to 8-bit RGB."""
    if not data:
        raise ImageError("The file is empty.")
    if len(data) > UPLOAD_LIMIT_BYTES:
        raise ImageError(f"The file is {len(data) / 2**20:.0f} MB; the limit is "
                         f"{UPLOAD_LIMIT_MB} MB.")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            img = Image.open(io.BytesIO(data))
            if img.width * img.height > max_pixels:
                raise ImageError(f"The image is {img.width}×{img.height} pixels; the limit is "
                                 f"{max_pixels / 1e6:.0f} megapixels.")
            img.load()
    except ImageError:
        raise
    except UnidentifiedImageError as err:
        raise ImageError("This file could not be read as an image: it is not a PNG, JPEG, "
                         "GIF, WebP, BMP or TIFF file.") from err
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as err:
        raise ImageError(f"The image has too many pixels to open safely; the limit is "
                         f"{max_pixels / 1e6:.0f} megapixels.") from err
    except (OSError, SyntaxError, ValueError) as err:
        raise ImageError(f"This file could not be read as an image ({err}).") from err
    with contextlib.suppress(OSError, SyntaxError, ValueError, TypeError):
        img = ImageOps.exif_transpose(img)  # a broken orientation tag: pixels as stored
    return to_rgb(img)


def to_rgb(img: Image.Image) -> Image.Image:
    """8-bit RGB from any mode Pillow opens: palette, 1-bit, grayscale, 16-bit and 32-bit
    integers, 32-bit float, CMYK, YCbCr…, with any transparency laid over white."""
    if img.mode in ("I", "F") or img.mode.startswith("I;16"):
        img = Image.fromarray(to_8bit(np.asarray(img)), "L")
    if img.mode in ("P", "PA"):
        img = img.convert("RGBA")
    try:
        if img.mode in ("RGBA", "LA", "RGBa", "La"):
            background = Image.new("RGBA", img.size, (255, 255, 255, 255))
            img = Image.alpha_composite(background, img.convert("RGBA"))
        return img.convert("RGB")
    except ValueError as err:
        raise ImageError(f"Images in the colour mode {img.mode} cannot be used here "
                         f"({err}); save it as an ordinary RGB picture.") from err


def to_8bit(values: np.ndarray) -> np.ndarray:
    """Any numeric pixel array as uint8, scaled by its real range.

    Floats that lie within 0–1 (the usual convention) map 0 → black and 1 → white; other
    data map the range from 0 (or the lowest value, when negative) to the highest value onto
    0–255, so 12-bit data in 16-bit files is not nearly black. NaN and infinities are black."""
    values = np.asarray(values, np.float64)
    finite = np.isfinite(values)
    if not finite.any():
        return np.zeros(values.shape, np.uint8)
    low, high = float(values[finite].min()), float(values[finite].max())
    if np.asarray(values).dtype.kind == "f" and low >= 0 and high <= 1:
        low, high = 0.0, 1.0
    low = min(low, 0.0)
    scaled = (values - low) / (high - low) if high > low else np.zeros_like(values)
    return np.round(np.clip(np.where(finite, scaled, 0.0), 0, 1) * 255).astype(np.uint8)


def fit_within(img: Image.Image, longest_side: int) -> Image.Image:
    """Downsize so that the longest side is at most `longest_side`; never upsize."""
    scale = longest_side / max(img.size)
    if scale >= 1:
        return img
    size = (max(1, round(img.width * scale)), max(1, round(img.height * scale)))
    return img.resize(size, Image.LANCZOS)


DISPLAY_WIDTH = 1460  # Streamlit's widest image: wider ones are shrunk by st.image itself


def displayable(image: Image.Image | np.ndarray, width: int = DISPLAY_WIDTH) -> Image.Image:
    """An image st.image can show at `width` pixels: at most that wide, at least 1 px tall.

    st.image shrinks a wider image itself, and an 8000×50 strip then rounds to 0 px tall and
    raises; shrinking here keeps every side at least 1 px."""
    img = image if isinstance(image, Image.Image) else Image.fromarray(np.asarray(image))
    if img.width <= width:
        return img
    return img.resize((width, max(1, round(img.height * width / img.width))), Image.LANCZOS)
