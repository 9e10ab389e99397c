"""The bad-input corpus against the core functions behind every page and command: each bad
input gets an error naming the problem, each odd one works (and is read correctly)."""

import numpy as np
import pytest

from core import mnist
from core.air_quality import data as air
from core.autoencoder import preprocess
from core.babi import answering, training
from core.babi import data as babi
from core.customizing import distance
from core.images import ImageError, displayable, fit_within, open_image
from tests import bad_inputs

IMAGES = bad_inputs.image_cases()
CSVS = bad_inputs.csv_cases()
STORIES = bad_inputs.story_cases()
VECTORS = bad_inputs.vector_cases()
IDX = bad_inputs.idx_cases()
BABI = bad_inputs.babi_file_cases()


def says(message: str, phrase: str) -> bool:
    return phrase.lower() in message.lower()


@pytest.mark.parametrize("case", IMAGES, ids=str)
def test_images(case):
    if case.expect:
        with pytest.raises(ImageError) as err:
            open_image(case.data)
        assert says(str(err.value), case.expect)
        return
    img = open_image(case.data)
    assert img.mode == "RGB" and min(img.size) >= 1
    if case.name.startswith(("16-bit", "12-bit", "32-bit")):
        gray = np.asarray(img.convert("L"))
        assert gray.max() >= 250 and gray.min() <= 5, "the stroke must stand out of the field"
    for width in (160, 200, 320, 1460):  # every display size a page uses
        shown = displayable(fit_within(img, 512), width)
        assert shown.width <= width and shown.height >= 1


@pytest.mark.parametrize("case", [c for c in IMAGES if c.expect is None], ids=str)
def test_odd_images_become_mnist_digits_or_a_clear_no_strokes(case):
    try:
        digit = preprocess.from_bytes(case.data)
    except ImageError as err:
        assert "No strokes found" in str(err)
        assert case.name in ("1x1 pixel", "transparent png", "gray+alpha png")
    else:
        assert digit.shape == (28, 28) and digit.max() == pytest.approx(1.0, abs=0.01)


@pytest.mark.parametrize("case", CSVS, ids=str)
def test_csv_files(case):
    if case.kind == "csv":
        with pytest.raises(air.AirQualityFormatError) as err:
            frame = air.parse(case.data)
            if air.with_target(frame).empty:  # what evaluate() refuses
                raise air.AirQualityFormatError(f"no row has a {air.TARGET} reading")
        assert says(str(err.value), case.expect)
    else:
        frame = air.parse(case.data)
        assert np.isfinite(frame.to_numpy()[~np.isnan(frame.to_numpy())]).all()


@pytest.mark.parametrize("case", STORIES, ids=str)
def test_stories_and_questions(case, shipped_vocab):
    story, question = case.data
    reading = answering.read(story, question, shipped_vocab)
    told = " ".join([*reading.problems, *reading.notes, *reading.unknown])
    if case.expect:
        assert says(told, case.expect), told
    else:
        assert not reading.problems and reading.story and reading.question


@pytest.fixture(scope="module")
def shipped_vocab():
    return training.load_shipped(1)[1]


@pytest.mark.parametrize("case", VECTORS, ids=str)
def test_vectors(case):
    x_text, _, y_text = case.data.partition("|")
    if case.expect and case.name not in ("different lengths", "too long"):  # page checks
        with pytest.raises(ValueError) as err:
            distance.parse_vector(x_text)
        assert says(str(err.value), case.expect)
    else:
        x, y = distance.parse_vector(x_text), distance.parse_vector(y_text or x_text)
        assert np.isfinite(x).all() and np.isfinite(y).all()


@pytest.mark.parametrize("case", IDX, ids=str)
def test_idx_files(case, tmp_path):
    path = tmp_path / "images-idx3-ubyte"
    path.write_bytes(case.data)
    if case.expect == "no images":
        assert len(mnist.read_images_idx(path)) == 0  # readable: the CLI refuses it (below)
    elif case.expect:
        with pytest.raises(mnist.DataFormatError) as err:
            mnist.read_images_idx(path)
        assert says(str(err.value), case.expect)
    else:
        assert mnist.read_images_idx(path).shape[1:] == (28, 28)


@pytest.mark.parametrize("case", BABI, ids=str)
def test_babi_files(case, tmp_path):
    path = tmp_path / "qa.txt"
    path.write_bytes(case.data)
    if case.expect == "no questions":
        assert babi.parse_file(path) == []  # readable: the CLI refuses it
    elif case.expect:
        with pytest.raises(babi.BabiFormatError) as err:
            babi.parse_file(path)
        assert says(str(err.value), case.expect)
    else:
        assert babi.parse_file(path)


def test_the_census_covers_every_kind_the_issue_names():
    kinds = bad_inputs.census()
    assert {"image", "odd image", "csv", "csv metric", "story", "vector", "idx",
            "babi file", "argument"} <= set(kinds)
    assert sum(kinds.values()) >= 140
