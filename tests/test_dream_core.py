"""Deep Dream engine: octave and jitter arithmetic, the SqueezeNet rebuild, ascent, the CLI."""

import json
import subprocess
import sys
import threading

import numpy as np
import pytest
import tensorflow as tf

from core import data
from core.dream import backbones, engine, pipeline


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
    path = data.locate("squeezenet", download=False)
    return path, backbones.load("squeezenet", path)


@pytest.fixture
def photo():
    return np.asarray(pipeline.generated_picture(128))


def test_rebuilt_layers_match_the_hdf5_file(data_dir, squeezenet):
    path, model = squeezenet
    arrays = backbones.h5_arrays(path)
    convs = {lyr.name: lyr for lyr in model.layers if "conv" in lyr.name or "fire" in lyr.name}
    assert len(arrays) == 25  # conv1 + 8 fire modules × 3 convolutions
    for name, (kernel, bias) in arrays.items():
        got_kernel, got_bias = convs[name].get_weights()
        assert got_kernel.shape == kernel.shape and np.array_equal(got_kernel, kernel)
        assert np.array_equal(got_bias, bias)
    assert model.count_params() == sum(k.size + b.size for k, b in arrays.values())


def test_layer_activation_grows_over_the_steps(data_dir, squeezenet, photo):
    layers = {"fire4_concat": 1.0, "fire6_concat": 1.0}
    losses = []
    settings = engine.Settings(layers, octaves=1, steps=8, seed=0)
    dreamer = pipeline.dreamer("squeezenet", squeezenet[0], tuple(layers.items()))
    out = engine.run(dreamer, photo, settings, progress=lambda o, s, loss, p: losses.append(loss))
    assert out.shape == photo.shape and out.dtype == np.uint8
    assert losses[-1] > 1.5 * losses[0]
    assert dreamer.step.experimental_get_tracing_count() == 1  # no retracing per step


def test_same_seed_same_dream_and_octaves_share_one_graph(data_dir, squeezenet, photo):
    layers = (("fire5_concat", 1.0),)
    dreamer = pipeline.dreamer("squeezenet", squeezenet[0], layers)
    settings = engine.Settings(dict(layers), octaves=3, steps=2, seed=7)
    first = engine.run(dreamer, photo, settings)
    assert np.array_equal(first, engine.run(dreamer, photo, settings))
    assert not np.array_equal(first, engine.run(dreamer, photo,
                                                engine.Settings(dict(layers), 3, steps=2, seed=8)))
    assert dreamer.step.experimental_get_tracing_count() == 1


def test_max_loss_stops_each_octave_early(data_dir, squeezenet, photo):
    layers = (("fire3_concat", 1.0),)
    dreamer = pipeline.dreamer("squeezenet", squeezenet[0], layers)
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
    squeeze = [pipeline.settings_for("squeezenet", p).max_loss for p in backbones.PRESETS]
    assert squeeze == sorted(squeeze) and all(squeeze)  # stronger presets, higher limits
    assert pipeline.settings_for("inception", "classic").max_loss == 15.0  # keras.io's value
    assert pipeline.settings_for("inception").min_side == 75
    assert pipeline.settings_for("squeezenet", max_loss=None).max_loss is None
    for backbone in backbones.BACKBONES.values():
        for preset in backbone.presets.values():
            assert set(preset["layers"]) <= set(backbone.layers)


class _ScriptStopped(BaseException):
    """Stands in for Streamlit's StopException, raised inside a progress callback."""


def test_cancel_raises_and_always_releases_the_lock(data_dir, squeezenet):
    settings = pipeline.settings_for("squeezenet", layers={"fire3_concat": 1.0}, octaves=1,
                                     steps=5)
    photo = pipeline.generated_picture(64)

    def dream(**kwargs):
        pipeline.dream_photo(photo, "squeezenet", squeezenet[0], settings, **kwargs)

    stop = threading.Event()
    stop.set()
    with pytest.raises(engine.Cancelled):
        dream(cancel=stop)
    assert not engine.DREAM_LOCK.locked()
    with pytest.raises(engine.Cancelled):
        dream(progress=lambda *_: False)
    assert not engine.DREAM_LOCK.locked()

    def interrupted(octave, step, *_):
        if step == 2:
            raise _ScriptStopped

    with pytest.raises(_ScriptStopped):
        dream(progress=interrupted)
    assert not engine.DREAM_LOCK.locked()


def test_one_dream_at_a_time(data_dir, squeezenet):
    waited = []
    settings = pipeline.settings_for("squeezenet", layers={"fire2_concat": 1.0}, octaves=1,
                                     steps=1)
    photo = pipeline.generated_picture(64)
    with engine.DREAM_LOCK:
        worker = threading.Thread(target=pipeline.dream_photo, args=(
            photo, "squeezenet", squeezenet[0], settings), kwargs={"on_wait": waited.append})
        worker.start()
        worker.join(timeout=1.3)
        assert worker.is_alive() and waited  # still queued, and saying so
        assert waited == sorted(waited) and waited[0] >= pipeline.WAIT_POLL_S * 0.9
    worker.join(timeout=30)
    assert not worker.is_alive() and not engine.DREAM_LOCK.locked()


def test_a_queued_dream_gives_up_instead_of_waiting_forever(data_dir, squeezenet):
    waited = []
    settings = pipeline.settings_for("squeezenet", layers={"fire2_concat": 1.0}, steps=1)
    with engine.DREAM_LOCK:
        with pytest.raises(pipeline.Busy, match="busy with other dreams"):
            pipeline.dream_photo(pipeline.generated_picture(64), "squeezenet", squeezenet[0],
                                 settings, on_wait=waited.append, wait_limit_s=1.0)
        assert engine.DREAM_LOCK.locked()  # the holder's lock was never touched
        assert waited and max(waited) < 1.0
    assert not engine.DREAM_LOCK.locked()


def test_cli_writes_a_png_the_size_of_the_input(data_dir, tmp_path):
    src, out = tmp_path / "in.jpg", tmp_path / "out.png"
    pipeline.generated_picture(90).crop((0, 0, 90, 60)).save(src)
    done = subprocess.run(
        [sys.executable, "-m", "core", "dream", str(src), str(out), "--octaves", "2",
         "--steps", "2", "--layers", "fire4_concat:1", "fire6_concat:2", "--seed", "1",
         "--max-loss", "0", "--data-dir", str(data_dir)], capture_output=True, text=True,
        timeout=120)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["size"] == [90, 60] and report["seconds"] > 0
    assert report["max_loss"] is None  # 0 turns clipping off
    from PIL import Image

    assert Image.open(out).size == (90, 60)


def test_cli_refuses_unknown_layers_and_non_images(data_dir, tmp_path, capsys):
    from core.cli import main

    bad = tmp_path / "bad.png"
    bad.write_bytes(b"nope")
    base = ["dream", str(bad), str(tmp_path / "o.png")]
    assert main(base + ["--layers", "mixed4"]) == 2
    assert "unknown layers" in capsys.readouterr().err
    assert main(base) == 2
    assert "could not be read" in capsys.readouterr().err
