"""SqueezeNet's layers as feature visualization sees them: each layer's channels before their
ReLU (a channel that is silent on a start image would give no gradient after it), and where each
channel fires on a photo (after its ReLU, as the network uses it)."""

from __future__ import annotations

import keras
import numpy as np

from core.dream.model import FIRES

LAYERS = ("conv1", *(f"fire{n}_concat" for n in FIRES))  # shallow to deep


def width(layer: str) -> int:
    """How many channels a layer has."""
    return 64 if layer == "conv1" else 2 * FIRES[int(layer[4])][1]


def _convs(net: keras.Model, layer: str) -> tuple[str, list]:
    """(the layer feeding the convolutions, the convolutions whose outputs make `layer`)."""
    if layer == "conv1":
        return "caffe_input", [net.get_layer("conv1")]
    n = int(layer[4])
    return f"fire{n}_squeeze1x1", [net.get_layer(f"fire{n}_expand1x1"),
                                   net.get_layer(f"fire{n}_expand3x3")]


class PreActivations:
    """image (k, h, w, 3) in [-1, 1] -> the layer's channels before their ReLU (k, h', w', C)."""

    def __init__(self, net: keras.Model, layer: str):
        source, self.convs = _convs(net, layer)
        self.feed = keras.Model(net.input, net.get_layer(source).output)

    def __call__(self, images, training: bool = False):
        x = self.feed(images, training=training)
        outs = [keras.ops.conv(x, c.kernel, strides=c.strides, padding=c.padding) + c.bias
                for c in self.convs]
        return outs[0] if len(outs) == 1 else keras.ops.concatenate(outs, axis=-1)


def activations(net: keras.Model, layer: str, photo: np.ndarray) -> np.ndarray:
    """A uint8 RGB photo's activations in `layer` (h', w', C), after the ReLU."""
    image = photo.astype(np.float32)[None] / 127.5 - 1.0
    pre = PreActivations(net, layer)(image)
    return np.maximum(keras.ops.convert_to_numpy(pre)[0], 0.0)
