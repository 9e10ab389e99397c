"""Autoencoder core: MNIST-format readers, upload preprocessing, model shapes, metrics, the
halves of a model at work (inference), what the page draws."""

import gzip
import io

import numpy as np
import pandas as pd
import pytest
from PIL import Image, ImageDraw

from core import mnist
from core.autoencoder import data, inference, metrics, model, preprocess, view
from core.images import ImageError


def digits(count: int, seed: int = 0) -> np.ndarray:
    """Small uint8 'images': a bright square at a random place on black."""
    rng = np.random.default_rng(seed)
    images = np.zeros((count, 28, 28), np.uint8)
    for image in images:
        top, left = rng.integers(4, 18, size=2)
        image[top: top + 6, left: left + 6] = 255
    return images


@pytest.mark.parametrize("name", ["images-idx3-ubyte", "images-idx3-ubyte.gz"])
def test_idx_round_trip(tmp_path, name):
    images = digits(5)
    mnist.write_idx(tmp_path / name, images)
    assert np.array_equal(mnist.read_images_idx(tmp_path / name), images)


def test_idx_labels_and_errors(tmp_path):
    mnist.write_idx(tmp_path / "labels.gz", np.arange(10, dtype=np.uint8))
    assert mnist.read_idx(tmp_path / "labels.gz").tolist() == list(range(10))
    (tmp_path / "bad").write_bytes(b"PK\x03\x04 not idx")
    with pytest.raises(mnist.DataFormatError, match="magic"):
        mnist.read_idx(tmp_path / "bad")
    raw = gzip.decompress((tmp_path / "labels.gz").read_bytes())
    (tmp_path / "short").write_bytes(raw[:-3])
    with pytest.raises(mnist.DataFormatError, match="promises"):
        mnist.read_idx(tmp_path / "short")
    with pytest.raises(mnist.DataFormatError, match="28×28"):
        mnist.read_images_idx(tmp_path / "labels.gz")


def test_mnist_csv(tmp_path):
    images, labels = digits(4), np.array([3, 1, 4, 1])
    rows = np.column_stack([images.reshape(4, -1), labels])
    path = tmp_path / "mnist.csv.gz"
    with gzip.open(path, "wt") as f:
        np.savetxt(f, rows, fmt="%d", delimiter=",")
    x, y = mnist.read_mnist_csv(path)
    assert np.array_equal(x, images) and y.tolist() == [3, 1, 4, 1]
    (tmp_path / "short.csv").write_text("1,2,3\n")
    with pytest.raises(mnist.DataFormatError, match="785 columns"):
        mnist.read_mnist_csv(tmp_path / "short.csv")


def test_as_float_range_and_shape():
    x = data.as_float(digits(3))
    assert x.shape == (3, 28, 28, 1) and x.dtype == np.float32
    assert x.min() == 0 and x.max() == 1


def png(img: Image.Image) -> bytes:
    buf = io.BytesIO()
    img.save(buf, "PNG")
    return buf.getvalue()


def a_zero(size: int, mode: str = "RGB", ink=(0, 0, 0), paper=(255, 255, 255)) -> Image.Image:
    """Dark strokes of a '0' on light paper, off-centre and narrower than tall."""
    img = Image.new(mode, (size, size), paper)
    s = size / 100
    ImageDraw.Draw(img).ellipse([(10 * s, 10 * s), (40 * s, 60 * s)], outline=ink,
                                width=max(1, int(6 * s)))
    return img


def assert_mnist_like(image: np.ndarray) -> None:
    assert image.shape == (28, 28) and image.dtype == np.float32
    assert image.min() >= 0 and image.max() <= 1 and image.max() > 0.5
    ys, xs = np.nonzero(image > 0.1)
    assert ys.max() - ys.min() < 20 and xs.max() - xs.min() < 20  # fits the 20×20 box
    mass = image.sum()
    cy = (np.arange(28)[:, None] * image).sum() / mass
    cx = (np.arange(28)[None, :] * image).sum() / mass
    assert abs(cy - 13.5) < 1.5 and abs(cx - 13.5) < 1.5  # centred by mass
    assert image[0].max() == 0 and image[:, 0].max() == 0  # dark background, as in MNIST


def test_upload_rgba_transparent_background():
    img = a_zero(100, "RGBA", ink=(0, 0, 0, 255), paper=(0, 0, 0, 0))
    assert_mnist_like(preprocess.from_bytes(png(img)))


def test_upload_huge_and_tiny():
    assert_mnist_like(preprocess.from_bytes(png(a_zero(3000))))
    tiny = Image.new("L", (5, 5), 0)
    tiny.putpixel((2, 2), 255)
    tiny.putpixel((2, 3), 255)
    assert_mnist_like(preprocess.from_bytes(png(tiny)))


def test_upload_light_strokes_on_dark_jpeg():
    buf = io.BytesIO()
    a_zero(300, ink=(250, 250, 250), paper=(10, 10, 10)).save(buf, "JPEG")
    assert_mnist_like(preprocess.from_bytes(buf.getvalue()))


@pytest.mark.parametrize("payload, message", [
    (b"", "empty"), (b"this is not an image at all", "could not be read"),
    (png(Image.new("RGB", (50, 50), "white")), "No strokes")])
def test_upload_bad_bytes(payload, message):
    with pytest.raises(ImageError, match=message):
        preprocess.from_bytes(payload)


def test_canvas_drawing():
    rgba = np.zeros((224, 224, 4), np.uint8)
    rgba[40:180, 100:120] = 255  # a '1': white stroke, opaque
    assert_mnist_like(preprocess.from_canvas(rgba))


@pytest.mark.parametrize("kind", list(model.KINDS))
def test_model_shapes_and_parts(kind):
    net = model.build(kind, seed=1)
    encoder, decoder = model.parts(net)
    x = data.as_float(digits(2))
    code = np.asarray(encoder(x))
    assert code.shape == (2, model.code_size(kind)) and model.code_size(kind) <= 32
    out = np.asarray(decoder(code))
    assert out.shape == (2, 28, 28, 1) and out.min() >= 0 and out.max() <= 1
    assert np.allclose(out, np.asarray(net(x)), atol=1e-5)


def test_metrics():
    x = data.as_float(digits(3))
    assert np.allclose(metrics.per_image_mse(x, x), 0)
    floor = metrics.per_image_bce(x, x)
    assert np.all(floor < 1e-5)  # binary images: a perfect copy costs (almost) nothing
    grey = np.full_like(x, 0.5)
    assert np.allclose(metrics.per_image_bce(x, grey), np.log(2))
    summary = metrics.summary(x, grey)
    assert summary["images"] == 3 and summary["psnr_db"] == pytest.approx(
        10 * np.log10(1 / summary["mse"]), abs=1e-2)


def test_latent_map_helpers():
    frame = pd.DataFrame({"index": [0, 1, 2], "z1": [-5.0, 0.0, 9.0], "z2": [1.0, 2.0, -7.0]})
    assert view.nearest(frame, (8.0, -6.0)) == 2 and view.nearest(frame, (0, 1)) == 1
    assert view.code_bounds([[-1, 1], [-2, 2]]) == [(-1, 1), (-2, 2)]
    assert view.code_bounds([[-1, 1], [-2, 2]], frame) == [(-5, 9), (-7, 2)]
    labels = np.array([3, 1, 3, 3, 0])
    picks = {view.example_of(labels, 3, seed) for seed in range(20)}
    assert picks == {0, 2, 3}  # only images of the class, and not always the same one


def test_the_encoder_and_the_decoder_work_alone():
    net = model.build("latent2d", seed=3)
    x = data.as_float(digits(4))
    codes = inference.encode(net, x)
    assert codes.shape == (4, 2)
    rebuilt, errors = inference.reconstruct(net, x)
    assert np.allclose(inference.decode(net, codes), rebuilt, atol=1e-5)  # decoder ∘ encoder
    assert np.allclose(errors, metrics.per_image_bce(x, rebuilt))
    frame = inference.latent_frame(net, x, np.array([1, 0, 1, 1]), ["a", "b"])
    assert list(frame["class"]) == ["b", "a", "b", "b"]
    assert np.allclose(frame[["z1", "z2"]].to_numpy(), codes)


def test_interpolation_runs_from_one_code_to_the_other():
    net = model.build("conv", seed=3)
    a, b = data.as_float(digits(2))
    path = inference.interpolate(net, a, b, steps=5)
    assert path.shape == (5, 28, 28, 1)
    ends = inference.decode(net, inference.encode(net, np.stack([a, b])))
    assert np.allclose(path[[0, -1]], ends, atol=1e-5)


def test_noise_and_the_denoising_demo():
    clean = data.as_float(digits(3))
    dirty = data.add_noise(clean, 0.3, seed=1)
    assert dirty.dtype == np.float32 and dirty.min() >= 0 and dirty.max() <= 1
    assert np.array_equal(dirty, data.add_noise(clean, 0.3, seed=1))  # seeded
    assert np.array_equal(data.add_noise(clean, 0.0, seed=1), clean)
    per_image = data.add_noise(clean, np.array([0.0, 0.5, 0.0]), seed=1)
    assert np.array_equal(per_image[[0, 2]], clean[[0, 2]]) and not np.array_equal(
        per_image[1], clean[1])
    net = model.build("conv", seed=3)
    shown = inference.denoised(net, None, clean, 0.3)
    assert np.array_equal(shown["dirty"], dirty) and shown["plain_errors"] is None
    assert np.allclose(shown["errors"], metrics.per_image_bce(clean, shown["cleaned"]))
    assert inference.denoised(net, net, clean, 0.3)["plain_errors"].shape == (3,)


def test_the_anomaly_groups_put_the_cards_digits_first_and_yours_last():
    net = model.build("conv", seed=3)
    outsiders = inference.outsider_errors(net, data.as_float(digits(5)), noise_images=7)
    assert [len(outsiders[k]) for k in ("clothes", "random noise")] == [5, 7]
    assert list(inference.outsider_errors(net, None, noise_images=2)) == ["random noise"]
    groups = inference.anomaly_groups([0.1, 0.2, 0.3], outsiders, np.float64(0.9))
    assert list(groups) == ["digits", "clothes", "random noise", "your image"]
    assert groups["digits"].tolist() == [0.1, 0.2, 0.3] and groups["your image"].tolist() == [0.9]
    assert set(groups) <= set(inference.GROUPS)


def test_above_the_line():
    line = view.above_the_line({"digits": [0.05, 0.07, 0.2, 0.09], "your image": [0.3]}, 0.1)
    assert line == "digits: **25%** above the line · your image: **above** the line"


def test_latent_map_chart_marks_the_code_and_selects_on_click():
    frame = pd.DataFrame({"index": [0, 1], "z1": [-1.0, 2.0], "z2": [0.5, 1.5],
                          "class": ["0", "1"]})
    spec = view.latent_map_chart(frame, (0.25, -0.5), ["0", "1"]).to_dict()
    dots, here = spec["layer"]
    assert spec["params"][0]["name"] == "pick"  # the page reads the click under this name
    assert spec["params"][0]["select"]["fields"] == ["z1", "z2"]
    assert spec["datasets"][here["data"]["name"]] == [{"z1": 0.25, "z2": -0.5}]
    assert dots["encoding"]["color"]["sort"] == ["0", "1"]


def test_anomaly_chart_has_a_row_per_group_and_the_threshold():
    groups = {"digits": np.array([0.05, 0.07]), "random noise": np.array([0.9])}
    spec = view.anomaly_chart(groups, 0.1).to_dict()
    ticks, rule = spec["layer"]
    assert ticks["encoding"]["y"]["sort"] == ["digits", "random noise"]
    assert spec["datasets"][rule["data"]["name"]] == [{"t": 0.1}] and spec["height"] == 80
