"""Feature visualization: SqueezeNet's channels before and after their ReLU, the ascent that
grows an image for a channel, the shipped grids, and the activation overlay. SqueezeNet ships
in assets/: no data needed."""

import numpy as np
import pytest

from core.features import ascent, channels, shipped, view


@pytest.fixture(scope="module")
def net():
    return view.network()


@pytest.mark.parametrize("layer", channels.LAYERS)
def test_every_layer_has_its_width_before_and_after_the_relu(net, layer):
    photo = np.random.default_rng(0).integers(0, 256, (64, 64, 3), dtype=np.uint8)
    pre = np.asarray(channels.PreActivations(net, layer)(photo[None] / 127.5 - 1.0))
    after = channels.activations(net, layer, photo)
    assert pre.shape[-1] == after.shape[-1] == channels.width(layer)
    np.testing.assert_allclose(after, np.maximum(pre[0], 0), rtol=1e-3, atol=1e-2)
    tapped = net.get_layer(layer).output  # the network's own layer, after its ReLU
    import keras
    own = keras.Model(net.input, tapped)(photo[None] / 127.5 - 1.0)
    np.testing.assert_allclose(after, np.asarray(own)[0], rtol=1e-3, atol=1e-2)


def test_gradient_ascent_excites_each_chosen_channel(net):
    layer, picked = "fire2_concat", (3, 70)
    settings = ascent.Settings(layer, picked, size=48, steps=12, jitter=2)
    seen = []
    tiles, scores = ascent.Visualizer(channels.PreActivations(net, layer)).run(
        settings, progress=lambda done, images: seen.append((done, images.shape)), every=6)
    assert tiles.shape == (2, 48, 48, 3) and tiles.dtype == np.uint8
    assert seen == [(6, (2, 48, 48, 3)), (12, (2, 48, 48, 3))]
    start = ascent.Visualizer(channels.PreActivations(net, layer)).run(
        ascent.Settings(layer, picked, size=48, steps=1, jitter=0))[1]
    assert np.all(scores > start)  # each image excites its own channel more than at the start
    grey = np.full((48, 48, 3), 128, np.uint8)
    for tile, channel in zip(tiles, picked, strict=True):
        mine = channels.activations(net, layer, tile).mean(axis=(0, 1))[channel]
        assert mine > channels.activations(net, layer, grey).mean(axis=(0, 1))[channel]


def test_the_shipped_grids_match_their_card():
    card = shipped.read_card()
    assert set(shipped.SHIPPED_LAYERS) <= set(card.layers)
    for layer in shipped.SHIPPED_LAYERS:
        picked = shipped.default_channels(layer)
        assert tuple(card.layers[layer]["settings"]["channels"]) == picked
        tiles = shipped.shipped_tiles(layer, picked)
        size = card.layers[layer]["settings"]["size"]
        assert tiles.shape == (len(picked), size, size, 3)
        figures = card.metrics["mean_activation"][layer]
        # the grown image excites its channel more than the sample photo does
        assert np.mean(np.greater(figures["image_activation"], figures["photo_activation"])) > 0.8
    assert shipped.shipped_tiles("fire5_concat", (1, 2)) is None  # not shipped: grown on demand
    assert shipped.shipped_tiles("plain", shipped.plain_channels()).shape[0] == \
        shipped.PLAIN_CHANNELS


def test_default_channels_spread_over_the_layer():
    assert shipped.default_channels("conv1") [0] == 0
    assert shipped.default_channels("fire9_concat")[-1] == 511
    assert len(set(shipped.default_channels("fire2_concat"))) == shipped.CHANNELS


def test_overlay_and_channel_checks():
    photo = np.full((40, 60, 3), 200, np.uint8)
    act = np.zeros((5, 7))
    act[2, 3] = 4.0
    out = view.overlay(photo, act, 4.0)
    assert out.shape == photo.shape and out.dtype == np.uint8
    assert out[20, 30, 0] > out[0, 0, 0]  # bright where the channel fires
    assert view.overlay(photo, np.zeros((5, 7)), 0.0).shape == photo.shape  # a silent channel
    assert view.channel_problems([])[0][0] == "too_few"
    assert view.channel_problems(list(range(17)))[0][0] == "too_many"
    assert view.channel_problems([1, 2]) == []
    assert view.photo_array(__import__("PIL.Image").Image.new("RGB", (1000, 10))).shape == \
        (48, 320, 3)
