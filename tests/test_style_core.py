"""Style transfer: the Gram matrix and the losses against NumPy, each loss falling under the
compiled step, the book's recipe, the drawn style images, the view's pieces and the CLI.
Everything runs on the shipped SqueezeNet and style images, without data."""

import io
import json
import threading
from dataclasses import replace

import keras
import numpy as np
import pytest
import tensorflow as tf
from PIL import Image

from core import datasets, jobs
from core.cli import main
from core.style import book, engine, losses, model, pictures, view

rng = np.random.default_rng(0)


def _np_gram(features: np.ndarray) -> np.ndarray:
    flat = features.reshape(-1, features.shape[-1]).astype(np.float64)
    return flat.T @ flat / flat.shape[0]


def test_gram_matrix_matches_numpy():
    features = rng.normal(size=(1, 7, 5, 4)).astype(np.float32)
    gram = np.asarray(losses.gram_matrix(features))
    assert gram.shape == (4, 4)
    np.testing.assert_allclose(gram, _np_gram(features), rtol=1e-5)
    np.testing.assert_allclose(gram, gram.T)  # symmetric
    assert np.all(np.linalg.eigvalsh(gram.astype(np.float64)) > -1e-5)  # positive semi-definite
    # Where a feature fires does not matter: shuffled positions, the same Gram matrix.
    shuffled = rng.permutation(features.reshape(35, 4)).reshape(1, 7, 5, 4)
    np.testing.assert_allclose(np.asarray(losses.gram_matrix(shuffled)), gram, rtol=1e-5)
    # The book's sums instead of means.
    np.testing.assert_allclose(np.asarray(book.gram_matrix(features)), gram * 35, rtol=1e-5)


def test_the_lab_losses_match_numpy():
    a, b = (rng.normal(size=(1, 6, 6, 8)).astype(np.float32) for _ in range(2))
    expect = np.sum((a - b) ** 2) / np.sum(b**2)
    np.testing.assert_allclose(float(losses.content_loss(a, b)), expect, rtol=1e-5)
    target = _np_gram(b)
    expect = np.sum((_np_gram(a) - target) ** 2) / np.sum(target**2)
    np.testing.assert_allclose(float(losses.style_loss(a, target.astype(np.float32))), expect,
                               rtol=1e-4)
    image = rng.uniform(0, 255, (1, 5, 4, 3)).astype(np.float32)
    unit = image / 255.0
    expect = (np.mean((unit[:, 1:] - unit[:, :-1]) ** 2)
              + np.mean((unit[:, :, 1:] - unit[:, :, :-1]) ** 2))
    np.testing.assert_allclose(float(losses.total_variation_loss(image)), expect, rtol=1e-5)
    assert float(losses.total_variation_loss(np.full((1, 4, 4, 3), 9.0, np.float32))) == 0.0


def test_the_book_objective_is_the_book_s_formula():
    image = rng.uniform(0, 255, (1, 6, 5, 3)).astype(np.float32)
    content, target = (rng.normal(size=(1, 3, 3, 4)).astype(np.float32) for _ in range(2))
    style = [rng.normal(size=(1, 3, 3, 2)).astype(np.float32)]
    grams = [(rng.normal(size=(2, 2)) * 9).astype(np.float32)]
    parts = np.asarray(book.objective(image, (content, style), (target, grams), 1.0,
                                      np.array([0.02], np.float32), 0.001))
    flat = style[0].reshape(-1, 2).astype(np.float64)
    expect_style = 0.02 * np.sum((grams[0] - flat.T @ flat) ** 2) / (4 * 9 * (6 * 5) ** 2)
    x = image[0].astype(np.float64)
    a = (x[:-1, :-1] - x[1:, :-1]) ** 2
    b = (x[:-1, :-1] - x[:-1, 1:]) ** 2
    np.testing.assert_allclose(parts, [np.sum((content - target) ** 2), expect_style,
                                       0.001 * np.sum((a + b) ** 1.25)], rtol=1e-4)


def test_style_weights_are_shared_out():
    lab = view.lab_settings("squeezenet", style_layers=["conv1", "fire2_concat"],
                            style_weight=10.0)
    assert lab.style_weights() == [5.0, 5.0]
    uneven = engine.Settings("fire6_concat", {"conv1": 1.0, "fire2_concat": 3.0},
                             style_weight=8.0)
    assert uneven.style_weights() == [2.0, 6.0]
    assert view.book_settings("squeezenet").style_weights() == pytest.approx([0.02] * 5)


@pytest.fixture(scope="module")
def squeezenet():
    path = model.shipped_weights("squeezenet")
    assert path is not None, "assets/dream/squeezenet_v1_1.keras is missing"
    return path


@pytest.fixture(scope="module")
def images():
    photo, look = view.working_images(Image.open(view.SAMPLE_PHOTO),
                                      Image.open(pictures.path_of("stained_glass")), 48, 32)
    return photo, look


@pytest.mark.parametrize("term", engine.TERMS)
def test_each_loss_falls_over_a_few_steps(squeezenet, images, term):
    """Only one weight on: the compiled step lowers that loss, from a start that is neither
    the photo nor smooth (random pixels)."""
    photo, look = images
    weights = {"content": (1.0, 0.0, 0.0), "style": (0.0, 1.0, 0.0),
               "smoothness": (0.0, 0.0, 1.0)}[term]
    settings = view.lab_settings("squeezenet", content_weight=weights[0],
                                 style_weight=weights[1], tv_weight=weights[2])
    run = view.stylizer("squeezenet", squeezenet, settings.content_layer,
                        tuple(settings.style_layers), "lab", "adam")
    targets = run.targets(tf.constant(photo[None], tf.float32), tf.constant(look[None], tf.float32))
    image = tf.constant(rng.uniform(0, 255, (1, *photo.shape)), tf.float32)
    m = v = tf.zeros_like(image)
    history = []
    for step in range(8):
        image, m, v, parts = run.step(
            image, m, v, tf.constant(step + 1.0), tf.constant(4.0), *targets,
            tf.constant(weights[0]), tf.constant(settings.style_weights(), tf.float32),
            tf.constant(weights[2]))
        history.append(float(parts[engine.TERMS.index(term)]))
    assert history[-1] < 0.8 * history[0], history
    assert float(tf.reduce_min(image)) >= 0 and float(tf.reduce_max(image)) <= 255


def test_a_run_starts_from_the_photo_and_reports_every_step(squeezenet, images):
    photo, look = images
    settings = view.lab_settings("squeezenet", steps=6)
    run = view._stylizer_for("squeezenet", squeezenet, settings)
    seen = []
    image, history = engine.run(run, photo, look, settings, preview_every=2,
                                progress=lambda s, parts, prev: seen.append((s, prev is not None)))
    assert image.shape == photo.shape and image.dtype == np.float32
    assert history.shape == (7, 3) and history[0][0] < 1e-6  # content loss 0 at the photo
    assert history[-1].sum() < history[0].sum()
    assert seen == [(0, False), (1, True), (2, False), (3, True), (4, False), (5, True)]


def test_compiled_and_eager_steps_agree(squeezenet, images):
    photo, look = images
    settings = view.lab_settings("squeezenet", steps=3)
    eager = view._stylizer_for("squeezenet", squeezenet, settings, compiled=False)
    compiled = view._stylizer_for("squeezenet", squeezenet, settings)
    a, ha = engine.run(eager, photo, look, settings)
    b, hb = engine.run(compiled, photo, look, settings)
    np.testing.assert_allclose(ha, hb, rtol=1e-3, atol=1e-6)
    assert np.abs(a - b).max() < 0.5


def test_cancel_stops_a_run(squeezenet, images):
    photo, look = images
    settings = view.lab_settings("squeezenet", steps=50)
    run = view._stylizer_for("squeezenet", squeezenet, settings)
    stop = threading.Event()
    steps = []

    def progress(step, parts, preview):
        steps.append(step)
        if step == 2:
            stop.set()
    with pytest.raises(engine.Cancelled):
        engine.run(run, photo, look, settings, progress=progress, cancel=stop)
    assert steps == [0, 1, 2]
    with pytest.raises(engine.Cancelled):
        engine.run(run, photo, look, settings, progress=lambda *args: False)


def test_the_book_recipe_barely_moves_the_pixels_and_adam_does(squeezenet):
    """The comparison the page draws, at 64 px: 10 plain steps at 0.001 leave the photo as it
    was; Adam on the same loss and the lab's recipe change it and lower the style loss."""
    photo, look = Image.open(view.SAMPLE_PHOTO), Image.open(pictures.path_of("swirls"))
    runs = view.recipe_settings("squeezenet")
    runs = {k: (s if k == "book" else replace(s, steps=15)) for k, s in runs.items()}
    results = {k: view.stylize(photo, look, "squeezenet", squeezenet, s, side=64)
               for k, s in runs.items()}
    assert runs["book"].steps == 10 and runs["book"].learning_rate == 0.001
    assert results["book"].change < 0.5 and abs(view.style_fall(results["book"])) < 5
    assert results["book_adam"].change > 5 and results["lab"].change > 5
    assert view.style_fall(results["lab"]) > 50
    frame = view.comparison_frame(results)
    assert set(frame["recipe"]) == set(runs) and (frame[frame.step == 0]["percent"] == 100).all()


def test_working_images_keep_the_shape_the_book_squeezes():
    tall = Image.new("RGB", (300, 600), (10, 20, 30))
    wide = Image.new("RGB", (900, 300))
    photo, look = view.working_images(tall, wide, 256, 32)
    assert photo.shape == (256, 128, 3) and look.shape == (85, 256, 3)
    photo, look = view.working_images(tall, wide, 256, 32, squeeze_style=True)
    assert look.shape == photo.shape
    strip, __ = view.working_images(Image.new("RGB", (8000, 50)), wide, 256, 32)
    assert strip.shape == (32, 256, 3)  # raised to the backbone's smallest input
    dot, __ = view.working_images(Image.new("RGB", (1, 1)), wide, 256, 32)
    assert dot.shape == (32, 32, 3)


def test_a_job_reports_data_and_returns_a_result(squeezenet):
    queue = jobs.JobQueue(workers=1)
    try:
        photo = Image.open(view.SAMPLE_PHOTO)
        settings = view.lab_settings("squeezenet", steps=5)
        job = queue.submit("style", view.style_work(photo, Image.open(pictures.path_of("shards")),
                                                    "squeezenet", squeezenet, settings, 48))
        assert queue.wait_idle(120) and job.state == jobs.DONE, job.error
        result = job.result
        assert isinstance(result, view.Result) and result.history.shape == (6, 3)
        assert max(result.image.size) == 48 and job.message == ""  # the page words the progress
        assert set(result.grams) == set(settings.style_layers)
        for pair in result.grams.values():
            assert pair.style.shape == pair.result.shape and pair.style.dtype == np.float16
            assert pair.error >= 0 and np.isfinite(pair.style).all()
            a, b = view.gram_pictures(pair, 64)
            assert a.size == b.size == (64, 64)
    finally:
        queue.stop()


def test_job_ids_change_with_every_input():
    settings = view.lab_settings("squeezenet")
    base = view.job_id(b"photo", b"style", "squeezenet", settings, 256)
    assert base == view.job_id(b"photo", b"style", "squeezenet", view.lab_settings("squeezenet"),
                               256)
    others = [view.job_id(b"other", b"style", "squeezenet", settings, 256),
              view.job_id(b"photo", b"other", "squeezenet", settings, 256),
              view.job_id(b"photo", b"style", "vgg19", settings, 256),
              view.job_id(b"photo", b"style", "squeezenet", settings, 128),
              view.job_id(b"photo", b"style", "squeezenet",
                          replace(settings, tv_weight=0.0), 256),
              view.job_id(b"photo", b"style", "squeezenet",
                          view.lab_settings("squeezenet", style_layers=["conv1"]), 256)]
    assert len({base, *others}) == 7


def test_the_last_dream_is_the_newest():
    assert view.last_dream(None) is None and view.last_dream({}) is None
    recent = {}
    for n in range(5):
        view.remember(recent, f"job{n}", f"png{n}".encode())
    assert list(recent) == ["job2", "job3", "job4"] and view.last_dream(recent) == b"png4"


def test_loss_frame_leaves_out_what_a_log_scale_cannot_show():
    history = np.array([[1e-13, 2.0, 0.0], [0.5, 1.0, 0.0]])  # content at the photo: rounding
    frame = view.loss_frame(history)
    assert set(frame["term"]) == {"content", "style", "total"}
    assert frame[frame.term == "content"]["step"].tolist() == [1]
    assert frame[(frame.term == "total") & (frame.step == 1)]["loss"].item() == 1.5
    assert view.loss_chart(history).to_dict()["encoding"]["y"]["scale"]["type"] == "log"


def test_the_page_shows_the_code_that_runs():
    assert "def gram_matrix" in view.loss_code() and "ops.matmul" in view.loss_code()
    assert "tape.gradient" in view.step_code() and "def adam" in view.step_code()
    assert "4.0 * 3**2 * pixels**2" in view.book_code()


# --- The drawn style images ------------------------------------------------------------------

def test_the_style_images_are_what_the_command_draws(tmp_path):
    card = json.loads((pictures.FOLDER / pictures.CARD).read_text())
    assert card["command"] == "python -m core draw style" and "CC0" in card["license"]
    assert set(card["images"]) == set(pictures.STYLES)
    for name, entry in card["images"].items():
        assert datasets.sha256_of(pictures.path_of(name)) == entry["sha256"]
    code = main(["draw", "style", "--out", str(tmp_path)])
    assert code == 0
    for name in pictures.STYLES:
        with Image.open(tmp_path / f"{name}.png") as fresh, \
                Image.open(pictures.path_of(name)) as shipped:
            assert fresh.size == shipped.size == (pictures.SIDE, pictures.SIDE)
            assert np.array_equal(np.asarray(fresh), np.asarray(shipped))


# --- VGG19, the book's network (a download: built untrained here) ------------------------------

def test_vgg19_offers_the_book_s_layers_and_its_download():
    net = model.load_vgg19(None)
    chosen = model.BACKBONES["vgg19"]
    assert chosen.book_content_layer == book.VGG19_CONTENT == "block5_conv2"
    assert chosen.book_style_layers == book.VGG19_STYLE
    extractor = model.feature_extractor(net, chosen.content_layer, chosen.style_layers)
    outputs = extractor(np.zeros((1, 32, 32, 3), np.float32))
    assert len(outputs) == 1 + len(chosen.style_layers)
    resource = datasets.RESOURCES["vgg19"]
    assert resource.downloads[0].digest.startswith("md5:")
    assert isinstance(net, keras.Model) and model.shipped_weights("vgg19") is None


# --- The command line ----------------------------------------------------------------------------

def _photo(tmp_path, size=(60, 40)) -> str:
    path = tmp_path / "photo.jpg"
    Image.open(view.SAMPLE_PHOTO).resize(size).save(path)
    return str(path)


def _run(argv, capsys):
    try:
        code = main([str(a) for a in argv])
    except SystemExit as stop:
        code = stop.code
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_writes_a_png_the_size_of_the_photo(tmp_path, capsys):
    out = tmp_path / "new" / "styled.png"
    code, stdout, err = _run(["stylize", _photo(tmp_path), pictures.path_of("swirls"), out,
                              "--size", "48", "--steps", "3"], capsys)
    assert code == 0, err
    result = json.loads(stdout.strip().splitlines()[-1])
    assert result["size"] == [60, 40] and max(result["working_size"]) == 48
    with Image.open(out) as written:
        assert written.format == "PNG" and written.size == (60, 40)
    assert result["losses_first"]["content"] < 1e-6 < result["losses_last"]["content"]


def test_cli_runs_the_book_recipe(tmp_path, capsys):
    code, stdout, err = _run(["stylize", _photo(tmp_path), pictures.path_of("shards"),
                              tmp_path / "book.png", "--recipe", "book", "--size", "48"], capsys)
    assert code == 0, err
    result = json.loads(stdout.strip().splitlines()[-1])
    assert result["steps"] == 10 and result["optimizer"] == "gd"
    assert result["learning_rate"] == 0.001 and result["content_layer"] == "fire9_concat"
    code, stdout, err = _run(["stylize", _photo(tmp_path), pictures.path_of("shards"),
                              tmp_path / "adam.png", "--recipe", "book", "--size", "48",
                              "--optimizer", "adam", "--steps", "3", "--learning-rate", "8"],
                             capsys)
    adam = json.loads(stdout.strip().splitlines()[-1])
    assert code == 0 and adam["optimizer"] == "adam" and adam["weights"] == result["weights"]
    assert adam["mean_change_grey_levels"] > 10 * result["mean_change_grey_levels"]


@pytest.mark.parametrize(("extra", "message"), [
    (["--style-layers", "no_such_layer"], "unknown layers for squeezenet: no_such_layer"),
    (["--content-layer", "block5_conv2"], "unknown layers"),
    (["--content-weight", "0", "--style-weight", "0", "--tv-weight", "0"],
     "every weight is 0"),
])
def test_cli_refuses_settings_that_cannot_run(tmp_path, capsys, extra, message):
    code, out, err = _run(["stylize", _photo(tmp_path), pictures.path_of("shards"),
                           tmp_path / "o.png", "--size", "32", *extra], capsys)
    assert code == 2 and not out and message in err and len(err.strip().splitlines()) == 1


def test_cli_names_the_image_it_cannot_read(tmp_path, capsys):
    broken = tmp_path / "style.png"
    broken.write_bytes(b"not a picture")
    code, out, err = _run(["stylize", _photo(tmp_path), broken, tmp_path / "o.png"], capsys)
    assert code == 2 and str(broken) in err and "could not be read as an image" in err


def test_cli_without_vgg19_weights_says_how_to_get_them(tmp_path, capsys, no_data):
    code, out, err = _run(["stylize", _photo(tmp_path), pictures.path_of("shards"),
                           tmp_path / "o.png", "--model", "vgg19"], capsys)
    assert code == 2 and "VGG19" in err and "python -m core fetch vgg19" in err


def test_bench_prints_medians_per_size(capsys):
    code, out, err = _run(["bench", "style", "--sizes", "48", "--repeats", "1"], capsys)
    assert code == 0, err
    figures = json.loads(out.strip().splitlines()[-1])
    assert figures["48px"]["median_result_s"] > 0 and figures["48px"]["median_step_ms"] > 0
    assert figures["steps"] == view.DEFAULTS["steps"] and figures["repeats"] == 1


def test_png_of_a_result_round_trips():
    image = Image.new("RGB", (5, 3), (1, 2, 3))
    assert Image.open(io.BytesIO(view.png_bytes(image))).size == (5, 3)
