"""InceptionV3 and VGG16, built untrained (no weights here, no downloads): every configured
layer is there, a tiny dream runs, and a weights file in the keras-applications layout loads."""

import h5py
import keras
import numpy as np
import pytest

from core.dream import engine, model

APPLICATIONS = {"inception": keras.applications.InceptionV3, "vgg16": keras.applications.VGG16}


@pytest.fixture(scope="module", params=sorted(APPLICATIONS))
def untrained(request):
    key = request.param
    return key, model.BACKBONES[key].loader(None)


def test_every_configured_layer_can_be_tapped(untrained):
    key, net = untrained
    names = model.BACKBONES[key].layers
    extractor = model.feature_extractor(net, names)
    assert [t.name for t in extractor.outputs] and len(extractor.outputs) == len(names)
    side = model.BACKBONES[key].min_side
    acts = extractor(np.zeros((1, side, side, 3), np.float32))
    assert all(a.shape[0] == 1 and min(a.shape[1:3]) >= 1 for a in acts)


def test_a_tiny_dream_runs_at_the_smallest_octave(untrained):
    key, net = untrained
    chosen = model.BACKBONES[key].presets["classic"]["layers"]
    dreamer = engine.Dreamer(model.feature_extractor(net, tuple(chosen)),
                             list(chosen.values()))
    settings = engine.settings_for(key, octaves=2, steps=1)
    photo = np.random.default_rng(0).integers(0, 256, (80, 96, 3), dtype=np.uint8)
    # The first octave (57 x 69) is below InceptionV3's smallest input and must be raised to it.
    losses = []
    out = engine.run(dreamer, photo, settings, progress=lambda o, s, loss, _: losses.append(loss))
    assert out.shape == photo.shape and out.dtype == np.uint8
    assert len(losses) == 2 and np.isfinite(losses).all()
    assert not np.array_equal(out, photo)
    tiny = photo[:40, :50]  # dreamed at the smallest input, then brought back to its size
    assert engine.run(dreamer, tiny, settings).shape == tiny.shape


def _write_applications_h5(model: keras.Model, path) -> None:
    """The Keras-2 weights-only layout of the keras-applications '_notop.h5' files."""
    with_weights = [lyr for lyr in model.layers if lyr.weights]
    with h5py.File(path, "w") as f:
        f.attrs["layer_names"] = [lyr.name.encode() for lyr in with_weights]
        for lyr in with_weights:
            group = f.create_group(lyr.name)
            arrays = [w.numpy() for w in lyr.trainable_weights + lyr.non_trainable_weights]
            names = [f"{lyr.name}/w{i}:0" for i in range(len(arrays))]  # paths in the group
            group.attrs["weight_names"] = [name.encode() for name in names]
            for name, array in zip(names, arrays, strict=True):
                group.create_dataset(name, data=array)


def test_weights_file_loads_under_the_input_conversion(tmp_path):
    # VGG16 only: InceptionV3 goes through the same `_application` code at four times the cost.
    keras.utils.set_random_seed(1)
    reference = keras.applications.VGG16(include_top=False, weights=None)
    path = tmp_path / "vgg16_notop.h5"
    _write_applications_h5(reference, path)
    keras.utils.set_random_seed(2)  # so that a model left unloaded would differ
    loaded = model.load_vgg16(path)
    expected = [lyr.get_weights() for lyr in reference.layers if lyr.weights]
    got = [lyr.get_weights() for lyr in loaded.layers if lyr.weights]
    assert len(got) == len(expected) == 13  # VGG16's convolutions
    for got_arrays, arrays in zip(got, expected, strict=True):
        assert all(np.array_equal(a, b) for a, b in zip(got_arrays, arrays, strict=True))
