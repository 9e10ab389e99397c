"""open_image turns every odd upload into 8-bit RGB, or refuses it with a clear message."""

import io

import numpy as np
import pytest
from PIL import Image

from core.images import ImageError, fit_within, open_image
from tests.helpers import ROOT


def _bytes(img: Image.Image, fmt: str = "PNG", **kwargs) -> bytes:
    buffer = io.BytesIO()
    img.save(buffer, format=fmt, **kwargs)
    return buffer.getvalue()


@pytest.mark.parametrize("mode", ["RGBA", "L", "LA", "P", "CMYK", "I;16", "1"])
def test_odd_modes_become_rgb(mode):
    fmt = "JPEG" if mode == "CMYK" else ("TIFF" if mode == "I;16" else "PNG")
    img = open_image(_bytes(Image.new(mode, (20, 10)), fmt))
    assert img.mode == "RGB" and img.size == (20, 10)


def test_transparency_lands_on_white():
    rgba = Image.new("RGBA", (4, 4), (255, 0, 0, 0))
    assert open_image(_bytes(rgba)).getpixel((0, 0)) == (255, 255, 255)


def test_sixteen_bit_keeps_its_contrast():
    ramp = np.linspace(0, 65535, 64 * 8, dtype=np.uint16).reshape(8, 64)
    img = open_image(_bytes(Image.fromarray(ramp), "TIFF"))
    gray = np.asarray(img)[..., 0]
    assert gray.min() == 0 and gray.max() == 255


def test_exif_rotation_is_applied():
    img = Image.new("RGB", (30, 10), "red")
    exif = img.getexif()
    exif[0x0112] = 6  # "rotate 90° clockwise to display"
    assert open_image(_bytes(img, "JPEG", exif=exif)).size == (10, 30)


def test_decompression_bomb_is_refused():
    bomb = _bytes(Image.new("L", (8000, 8000)))  # 64 megapixels, compresses to a few kB
    with pytest.raises(ImageError, match="megapixels"):
        open_image(bomb)


@pytest.mark.parametrize("data", [b"", b"definitely not an image", b"\x89PNG\r\n\x1a\n broken"])
def test_non_images_get_a_clear_message(data):
    with pytest.raises(ImageError):
        open_image(data)


def test_fit_within_downsizes_only():
    assert fit_within(Image.new("RGB", (2000, 1000)), 512).size == (512, 256)
    assert fit_within(Image.new("RGB", (100, 50)), 512).size == (100, 50)


def test_float_tiff_between_0_and_1_is_not_black():
    stroke = np.zeros((32, 32), np.float32)
    stroke[8:24, 14:18] = 1.0
    gray = np.asarray(open_image(_bytes(Image.fromarray(stroke, "F"), "TIFF")))[..., 0]
    assert gray.max() == 255 and gray.min() == 0
    assert gray[16, 15] == 255 and gray[0, 0] == 0


@pytest.mark.parametrize(("values", "white", "black"), [
    (np.array([[0, 4095]], np.uint16), 4095, 0),  # 12-bit data in a 16-bit file
    (np.array([[0.0, 500.0]], np.float32), 500.0, 0.0),  # float beyond 0-1: its own range
    (np.array([[-3.0, 1.0]], np.float32), 1.0, -3.0),  # negative values: from the lowest
    (np.array([[0, 100_000]], np.int32), 100_000, 0),  # 32-bit integers
])
def test_deep_modes_are_scaled_by_their_real_range(values, white, black):
    from core.images import to_8bit

    out = to_8bit(values)
    assert out.dtype == np.uint8
    assert out[values == white].min() == 255 and out[values == black].max() == 0


def test_nan_and_inf_pixels_do_not_spoil_the_rest():
    from core.images import to_8bit

    out = to_8bit(np.array([[np.nan, np.inf, 0.0, 0.5, 1.0]], np.float32))
    assert out.tolist() == [[0, 0, 0, 128, 255]]
    assert to_8bit(np.full((2, 2), np.nan)).max() == 0


def test_a_long_thin_image_stays_displayable():
    from core.images import displayable

    strip = fit_within(Image.new("RGB", (8000, 50)), 160)
    assert strip.size == (160, 1)
    for width in (200, 1460):
        shown = displayable(strip if width == 200 else Image.new("L", (8000, 1)), width)
        assert shown.width <= width and shown.height == 1
    assert displayable(np.zeros((1, 324), np.uint8), 200).size == (200, 1)


def test_one_upload_limit_for_streamlit_and_the_core():
    import tomllib

    from core.catalog import UPLOAD_LIMIT_BYTES, UPLOAD_LIMIT_MB

    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert config["server"]["maxUploadSize"] == UPLOAD_LIMIT_MB
    with pytest.raises(ImageError, match=f"the limit is {UPLOAD_LIMIT_MB} MB"):
        open_image(b"\x89PNG\r\n\x1a\n" + bytes(UPLOAD_LIMIT_BYTES))
