"""Turn untrusted image bytes into clean RGB arrays, or a clear `ImageError`."""

from __future__ import annotations

import io
import warnings

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_PIXELS = 40_000_000  # refuse decompression bombs before decoding them
MAX_BYTES = 25 * 1024 * 1024


class ImageError(ValueError):
    """The bytes are not an image we can use; the message says why, for the user."""


def open_image(data: bytes, *, max_pixels: int = MAX_PIXELS) -> Image.Image:
    """Decode an upload: EXIF orientation applied, any mode converted to 8-bit RGB."""
    if not data:
        raise ImageError("The file is empty.")
    if len(data) > MAX_BYTES:
        raise ImageError(f"The file is {len(data) / 1e6:.0f} MB; the limit is "
                         f"{MAX_BYTES / 1e6:.0f} MB.")
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
    img = ImageOps.exif_transpose(img)
    return to_rgb(img)


def to_rgb(img: Image.Image) -> Image.Image:
    """8-bit RGB from any mode: palette, grayscale, 16-bit, CMYK, with alpha over white."""
    if img.mode in ("I;16", "I;16B", "I;16L", "I"):
        arr = np.asarray(img, dtype=np.float64)
        hi = arr.max() or 1.0
        img = Image.fromarray((arr / hi * 255).astype(np.uint8), "L")
    if img.mode == "P":
        img = img.convert("RGBA")
    if img.mode in ("RGBA", "LA"):
        background = Image.new("RGBA", img.size, (255, 255, 255, 255))
        img = Image.alpha_composite(background, img.convert("RGBA"))
    return img.convert("RGB")


def fit_within(img: Image.Image, longest_side: int) -> Image.Image:
    """Downsize so that the longest side is at most `longest_side`; never upsize."""
    scale = longest_side / max(img.size)
    if scale >= 1:
        return img
    size = (max(1, round(img.width * scale)), max(1, round(img.height * scale)))
    return img.resize(size, Image.LANCZOS)
