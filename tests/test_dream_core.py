"""Deep Dream engine: octave and jitter arithmetic, the shipped SqueezeNet and its conversion,
ascent, the CLI. Everything but the conversion runs on the shipped weights, without data."""

import io
import json
import subprocess
import sys
import threading

import keras
import numpy as np
import pytest
import tensorflow as tf
from PIL import Image

from core import cards, datasets, jobs
from core.cli import main
from core.dream import cli as dream_cli
from core.dream import convert, engine, model, pictures, view


def test_octave_shapes_grow_to_the_full_size():
    shapes = engine.octave_shapes(300, 200, 3, 1.4)
    assert shapes == [(153, 102), (214, 143), (300, 200)]
    assert engine.octave_shapes(40, 40, 4, 2.0)[0] == (engine.MIN_SIDE, engine.MIN_SIDE)


def test_jitter_is_seeded_bounded_and_undone():
    a = engine.jitter_shifts(np.random.default_rng(3), 50, 8)
    assert a.shape == (50, 2) and np.abs(a).max() <= 8
    assert np.array_equal(a, engine.jitter_shifts(np.random.default_rng(3), 50, 8))
    img = tf.random.uniform((1, 9, 7, 3))
    shift = tf.constant(a[0])
    back = tf.roll(tf.roll(img, shift, axis=(1, 2)), -shift, axis=(1, 2))
    assert np.array_equal(back.numpy(), img.numpy())


@pytest.fixture(scope="module")
def squeezenet():
    """The shipped weights (assets/dream), which a fresh clone has: no data needed."""
    path = model.shipped_weights("squeezenet")
    assert path is not None, "assets/dream/squeezenet_v1_1.keras is missing"
    return path, model.load("squeezenet", path)


@pytest.fixture
def photo():
    return np.asarray(pictures.generated_picture(128))


def _conv_weights(model) -> dict[str, list[np.ndarray]]:
    return {lyr.name: lyr.get_weights() for lyr in model.layers if lyr.name in CONVS}


CONVS = {"conv1"} | {f"fire{n}_{part}" for n in model.FIRES
                     for part in ("squeeze1x1", "expand1x1", "expand3x3")}


def test_shipped_file_loads_in_safe_mode_and_matches_its_card(squeezenet):
    path, _ = squeezenet
    card = cards.read_card(path.with_suffix(".json"))
    assert card.command == "python -m core convert squeezenet"
    assert datasets.sha256_of(path) == card.details["sha256"]
    assert path.stat().st_size == card.details["size_bytes"]
    model = keras.saving.load_model(path, compile=False, safe_mode=True)
    assert set(_conv_weights(model)) == CONVS and len(CONVS) == card.metrics["conv_layers"]
    assert model.count_params() == card.metrics["parameters"]
    assert convert.weights_digest(model) == card.metrics["weights_sha256"]
    for name in card.details["licenses"]:  # both licenses travel with the weights
        assert "Copyright" in (path.parent / name).read_text()


def test_shipped_weights_equal_the_original_hdf5(data_dir, squeezenet):
    source = datasets.locate("squeezenet", data_dir, download=False)
    arrays = model.h5_arrays(source)
    assert len(arrays) == 25  # conv1 + 8 fire modules × 3 convolutions
    shipped = _conv_weights(squeezenet[1])
    for name, (kernel, bias) in arrays.items():
        got_kernel, got_bias = shipped[name]
        assert got_kernel.shape == kernel.shape and np.array_equal(got_kernel, kernel)
        assert np.array_equal(got_bias, bias)
    assert squeezenet[1].count_params() == sum(k.size + b.size for k, b in arrays.values())
    assert datasets.sha256_of(source) in cards.read_card(
        squeezenet[0].with_suffix(".json")).data_sha256.values()


def test_convert_command_reproduces_the_shipped_weights(data_dir, squeezenet, tmp_path):
    assert main(["convert", "squeezenet", "--out", str(tmp_path),
                 "--data-dir", str(data_dir)]) == 0
    made = cards.read_card(tmp_path / "squeezenet_v1_1.json")
    shipped = cards.read_card(squeezenet[0].with_suffix(".json"))
    assert made.metrics == shipped.metrics  # same weights, bit for bit
    assert made.metrics["max_abs_difference_from_source"] == 0.0


def test_layer_activation_grows_over_the_steps(squeezenet, photo):
    layers = {"fire4_concat": 1.0, "fire6_concat": 1.0}
    losses = []
    settings = engine.Settings(layers, octaves=1, steps=8, seed=0)
    dreamer = engine.dreamer("squeezenet", squeezenet[0], tuple(layers.items()))
    out = engine.run(dreamer, photo, settings, progress=lambda o, s, loss, p: losses.append(loss))
    assert out.shape == photo.shape and out.dtype == np.uint8
    assert losses[-1] > 1.5 * losses[0]
    assert dreamer.step.experimental_get_tracing_count() == 1  # no retracing per step


def test_same_seed_same_dream_and_octaves_share_one_graph(squeezenet, photo):
    layers = (("fire5_concat", 1.0),)
    dreamer = engine.dreamer("squeezenet", squeezenet[0], layers)
    settings = engine.Settings(dict(layers), octaves=3, steps=2, seed=7)
    first = engine.run(dreamer, photo, settings)
    assert np.array_equal(first, engine.run(dreamer, photo, settings))
    assert not np.array_equal(first, engine.run(dreamer, photo,
                                                engine.Settings(dict(layers), 3, steps=2, seed=8)))
    assert dreamer.step.experimental_get_tracing_count() == 1


def test_max_loss_stops_each_octave_early(squeezenet, photo):
    layers = (("fire3_concat", 1.0),)
    dreamer = engine.dreamer("squeezenet", squeezenet[0], layers)
    free = []
    engine.run(dreamer, photo, engine.Settings(dict(layers), 2, steps=6),
               progress=lambda o, s, loss, _: free.append(loss))
    limit = (free[0] + free[5]) / 2  # passed mid-way through the first octave
    seen = {}
    engine.run(dreamer, photo, engine.Settings(dict(layers), 2, steps=6, max_loss=limit),
               progress=lambda o, s, loss, _: seen.setdefault(o, []).append(loss))
    assert set(seen) == {0, 1}  # clipping ends an octave, not the dream
    assert 1 < len(seen[0]) < 6
    for losses in seen.values():  # each octave stops right after the step that passed the limit
        assert all(loss <= limit for loss in losses[:-1])
        assert losses[-1] > limit or len(losses) == 6


def test_presets_carry_their_clipping_and_smallest_input():
    squeeze = [engine.settings_for("squeezenet", p).max_loss for p in model.PRESETS]
    assert squeeze == sorted(squeeze) and all(squeeze)  # stronger presets, higher limits
    assert engine.settings_for("inception", "classic").max_loss == 15.0  # keras.io's value
    assert engine.settings_for("inception").min_side == 75
    assert engine.settings_for("squeezenet", max_loss=None).max_loss is None
    for backbone in model.BACKBONES.values():
        for preset in backbone.presets.values():
            assert set(preset["layers"]) <= set(backbone.layers)


def test_cancel_or_a_refusing_progress_stops_the_dream(squeezenet):
    settings = engine.settings_for("squeezenet", layers={"fire3_concat": 1.0}, octaves=1,
                                   steps=5)
    photo = pictures.generated_picture(64)
    seen = []

    def dream(**kwargs):
        engine.dream_photo(photo, "squeezenet", squeezenet[0], settings, **kwargs)

    stop = threading.Event()
    stop.set()
    with pytest.raises(engine.Cancelled):
        dream(cancel=stop, progress=lambda *args: seen.append(args))
    assert len(seen) == 0  # stopped after its first step, before reporting it
    with pytest.raises(engine.Cancelled):
        dream(progress=lambda *args: seen.append(args) or False)
    assert len(seen) == 1


def test_the_shared_queue_runs_dreams_one_at_a_time(squeezenet, monkeypatch):
    monkeypatch.setattr(jobs, "_SHARED", None)  # a fresh queue, as a new server makes it
    queue = jobs.shared_queue()
    settings = engine.settings_for("squeezenet", layers={"fire2_concat": 1.0}, octaves=1,
                                   steps=3)
    dreams = [queue.submit("dream", engine.dream_work(pictures.generated_picture(64, seed),
                                                      "squeezenet", squeezenet[0], settings, 64))
              for seed in range(3)]
    assert queue.wait_idle(120)
    queue.stop()
    assert [d.state for d in dreams] == [jobs.DONE] * 3
    for earlier, later in zip(dreams, dreams[1:], strict=False):
        assert later.started_at >= earlier.finished_at  # never two dreams at once


def test_cli_writes_a_png_the_size_of_the_input(tmp_path):
    src, out = tmp_path / "in.jpg", tmp_path / "out.png"
    pictures.generated_picture(90).crop((0, 0, 90, 60)).save(src)
    done = subprocess.run(
        [sys.executable, "-m", "core", "dream", str(src), str(out), "--octaves", "2",
         "--steps", "2", "--layers", "fire4_concat:1", "fire6_concat:2", "--seed", "1",
         "--max-loss", "0"], capture_output=True, text=True,
        timeout=120)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["size"] == [90, 60] and report["seconds"] > 0
    assert report["max_loss"] is None  # 0 turns clipping off
    from PIL import Image

    assert Image.open(out).size == (90, 60)


def test_cli_refuses_unknown_layers_and_non_images(tmp_path, capsys):
    bad = tmp_path / "bad.png"
    bad.write_bytes(b"nope")
    base = ["dream", str(bad), str(tmp_path / "o.png")]
    assert main(base + ["--layers", "mixed4"]) == 2
    assert "unknown layers" in capsys.readouterr().err
    assert main(base) == 2
    assert "could not be read" in capsys.readouterr().err


def test_the_cli_offers_exactly_the_backbones_and_presets():
    # The CLI keeps its own copies of the names so that `--help` needs no Keras: they must agree.
    assert tuple(model.BACKBONES) == dream_cli.MODELS
    assert dream_cli.PRESETS == model.PRESETS
    assert all(set(b.presets) == set(model.PRESETS) for b in model.BACKBONES.values())


def test_a_dream_job_id_changes_with_whatever_changes_the_dream():
    photo = b"pixels"
    settings = engine.settings_for("squeezenet", "classic")
    job = view.job_id(photo, "squeezenet", settings, 512)
    assert job == view.job_id(photo, "squeezenet", engine.settings_for("squeezenet"), 512)
    reordered = engine.settings_for("squeezenet", layers=dict(reversed(settings.layers.items())))
    assert view.job_id(photo, "squeezenet", reordered, 512) == job  # the order of layers is not
    others = [view.job_id(b"other", "squeezenet", settings, 512),
              view.job_id(photo, "vgg16", settings, 512),
              view.job_id(photo, "squeezenet", settings, 256),
              view.job_id(photo, "squeezenet", engine.settings_for("squeezenet", seed=1), 512),
              view.job_id(photo, "squeezenet",
                          engine.settings_for("squeezenet", max_loss=None), 512)]
    assert job not in others and len(set(others)) == len(others)


def test_recent_dreams_keep_the_newest_as_png():
    recent = {}
    for n in range(view.RECENT + 2):
        view.remember(recent, f"job{n}", pictures.png_bytes(pictures.generated_picture(8 + n)))
    assert list(recent) == [f"job{n}" for n in range(2, view.RECENT + 2)]
    assert Image.open(io.BytesIO(recent["job2"])).size == (10, 10)


def test_weights_sizes_are_measured_on_this_machine(no_data):
    shipped = model.shipped_weights("squeezenet")
    assert view.weights_megabytes("squeezenet") == shipped.stat().st_size / 1e6
    assert view.weights_megabytes("vgg16") is None  # not here: no size is claimed


def test_the_page_shows_the_step_that_runs():
    assert view.step_code().startswith("def _step(self, img, shift, step_size):")
    assert "tape.gradient(loss, rolled)" in view.step_code()
    assert view.loss_code().startswith("def loss(self, img):")


def test_the_queued_dream_reports_its_steps_as_data_and_returns_a_png(squeezenet):
    class Job:  # what core.jobs hands to queued work
        def __init__(self):
            self.reports, self.cancel_event = [], threading.Event()

        def report(self, fraction, text, preview=None):
            self.reports.append((fraction, text, preview))

    settings = engine.settings_for("squeezenet", "subtle", octaves=1, steps=6, max_loss=None)
    job = Job()
    work = engine.dream_work(pictures.generated_picture(64), "squeezenet", squeezenet[0],
                             settings, 64)
    png = work(job)
    assert Image.open(io.BytesIO(png)).size == (64, 64)
    assert [round(f, 2) for f, __, __ in job.reports] == [0.17, 0.33, 0.5, 0.67, 0.83, 1.0]
    assert all(text == "" for __, text, __ in job.reports)  # words are the page's, translated
    steps = [p for __, __, p in job.reports]
    assert [(p.octave, p.octaves, p.step, p.steps) for p in steps] == [
        (1, 1, n, 6) for n in range(1, 7)]
    assert all(p.loss > 0 and not p.past_max_loss for p in steps)
    # the preview image: the first step's, then every fifth step's and the octave's last
    assert all(p.image is steps[0].image for p in steps[:4])
    assert steps[4].image is not steps[3].image and steps[5].image is not steps[4].image
