"""The Autoencoders page in AppTest: gallery, noise slider, latent map, upload; with and without
data."""

import io

import pytest
from PIL import Image, ImageDraw

from core.autoencoder import training
from tests.helpers import open_page

PAGE = "pages/autoencoders.py"
pytestmark = pytest.mark.skipif(not training.shipped_paths("mnist", "conv")[0].exists(),
                                reason="mnist_conv.keras not trained yet")


def _digit_png() -> bytes:
    img = Image.new("RGB", (300, 200), "white")
    ImageDraw.Draw(img).ellipse([120, 40, 180, 160], outline="black", width=14)
    buf = io.BytesIO()
    img.save(buf, "PNG")
    return buf.getvalue()


def test_page_with_data(app, data_dir):
    at = open_page(app, PAGE)
    errors = [m for m in at.markdown if "validation images" in m.value]
    assert errors, "the gallery does not report its errors"
    before = [m.value for m in at.markdown if "Mean error of these 8" in m.value]
    at.button(key="ae_shuffle").click().run()
    after = [m.value for m in at.markdown if "Mean error of these 8" in m.value]
    assert not at.exception and after and after != before
    if training.shipped_paths("mnist", "denoise")[0].exists():
        at.slider(key="ae_noise").set_value(0.6).run()
        assert not at.exception
        assert any("denoiser" in m.value for m in at.markdown)
    # the latent map decodes the sliders' spot; the interpolation runs from one class to another
    z1 = at.slider(key="ae_z1_mnist")
    z1.set_value(z1.max).run()
    assert not at.exception, at.exception
    assert f"decoded from ({z1.max:.1f}, " in " ".join(_captions(at))
    at.selectbox(key="ae_from").set_value(7).run()
    at.button(key="ae_pair").click().run()
    assert not at.exception, at.exception
    captions, path = _captions(at), ["7", *[""] * 8, "8"]  # a 7, eight steps, an 8
    assert any(captions[k: k + len(path)] == path for k in range(len(captions)))


def _captions(at) -> list[str]:
    return [caption for image in at.image for caption in image.captions]


def test_upload_good_and_bad(app, data_dir):
    at = open_page(app, PAGE)
    at.file_uploader(key="ae_upload").upload("digit.png", _digit_png(), "image/png").run()
    assert not at.exception, at.exception
    assert any("Reconstruction error" in m.label for m in at.metric)
    at.file_uploader(key="ae_upload").upload("x.png", b"garbage bytes", "image/png").run()
    assert not at.exception
    assert any("could not be read as an image" in w.value for w in at.warning)


def test_page_without_data(app, no_data):
    at = open_page(app, PAGE)
    assert any("MNIST digits" in i.value for i in at.info)
    at.file_uploader(key="ae_upload").upload("digit.png", _digit_png(), "image/png").run()
    assert not at.exception
    assert any("Reconstruction error" in m.label for m in at.metric)


def test_every_section_has_its_stable_anchor(app, no_data):
    at = open_page(app, PAGE)
    assert [h.proto.anchor for h in at.header] == [
        "reconstructions", "denoising", "your-own-digit", "latent-map", "anomaly-score"]


def test_the_figures_in_the_prose_are_the_cards(app, data_dir):
    at = open_page(app, PAGE)
    said = " ".join(m.value for m in [*at.markdown, *at.caption])
    conv, denoise = (training.load_shipped("mnist", kind)[1] for kind in ("conv", "denoise"))
    validation = conv.validation
    assert (f"over all {validation['images']} validation images: **{validation['bce']:.3f}**, "
            f"or a **PSNR** of {validation['psnr_db']:.1f} dB") in said
    assert f"It saw noise levels up to {denoise.training['max_noise']};" in said
    assert f"errors over the {conv.split['validation']} validation digits" in said


def test_the_readers_questions_are_answered_beside_the_model(app, no_data):
    at = open_page(app, PAGE)
    asked = [m.value for m in at.markdown if "A reader asks" in m.value]
    assert any("auto" in q for q in asked) and any("decoder the finished product" in q
                                                   for q in asked)
    answer = next(m.value for m in at.markdown if m.value.startswith("Training needs both"))
    assert "**encoder alone**" in answer and "`lstm_autoencoder.py`" in answer
