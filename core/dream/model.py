"""Pretrained CNNs to dream with: SqueezeNet v1.1 rebuilt in Keras 3, InceptionV3 and VGG16.

Every backbone takes images scaled to [-1, 1] (RGB) and converts them to its own input
convention inside the model, so one step size means the same thing for all of them.
SqueezeNet ships in assets/ (converted once by `python -m core convert squeezenet`), so that
Deep Dream works offline; the other two are downloads.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from pathlib import Path

import h5py
import keras
import numpy as np
from keras import layers

from core import cards
from core.cards import ASSETS
from core.i18n import N_

CAFFE_MEAN_BGR = (103.939, 116.779, 123.68)
FIRES = {2: (16, 64), 3: (16, 64), 4: (32, 128), 5: (32, 128),  # fire n: (squeeze, expand)
         6: (48, 192), 7: (48, 192), 8: (64, 256), 9: (64, 256)}


@keras.saving.register_keras_serializable(package="dream")
class CaffeInput(layers.Layer):
    """[-1, 1] RGB to Caffe's input: BGR, 0–255, ImageNet mean subtracted."""

    def call(self, x):
        bgr = keras.ops.flip((x + 1.0) * 127.5, axis=-1)
        return bgr - keras.ops.convert_to_tensor(CAFFE_MEAN_BGR, dtype=x.dtype)


@keras.saving.register_keras_serializable(package="dream")
class ScaleInput(layers.Layer):
    """[-1, 1] RGB to another linear range (Inception uses [-1, 1] itself)."""

    def __init__(self, scale: float = 1.0, offset: float = 0.0, **kwargs):
        super().__init__(**kwargs)
        self.scale, self.offset = scale, offset

    def call(self, x):
        return x * self.scale + self.offset

    def get_config(self):
        return {**super().get_config(), "scale": self.scale, "offset": self.offset}


def _fire(x, n: int):
    squeeze, expand = FIRES[n]
    s = layers.Conv2D(squeeze, 1, activation="relu", name=f"fire{n}_squeeze1x1")(x)
    e1 = layers.Conv2D(expand, 1, activation="relu", name=f"fire{n}_expand1x1")(s)
    e3 = layers.Conv2D(expand, 3, padding="same", activation="relu",
                       name=f"fire{n}_expand3x3")(s)
    return layers.Concatenate(name=f"fire{n}_concat")([e1, e3])


def squeezenet_architecture() -> keras.Model:
    """SqueezeNet v1.1 without its classifier, as in keras-squeezenet (channels last)."""
    inputs = keras.Input((None, None, 3), name="image")
    x = CaffeInput(name="caffe_input")(inputs)
    x = layers.Conv2D(64, 3, strides=2, activation="relu", name="conv1")(x)
    x = layers.MaxPooling2D(3, strides=2, name="pool1")(x)
    for n in (2, 3, 4, 5, 6, 7, 8, 9):
        x = _fire(x, n)
        if n in (3, 5):
            x = layers.MaxPooling2D(3, strides=2, name=f"pool{n}")(x)
    return keras.Model(inputs, x, name="squeezenet_v1_1")


def h5_arrays(path: Path) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """{keras layer name: (kernel, bias)} from the Keras-1 file ('fire2/squeeze1x1' groups)."""
    found = {}
    with h5py.File(path, "r") as f:
        for name in f.attrs["layer_names"]:
            name = name.decode()
            arrays = _datasets(f[name])
            if arrays:
                kernel = next(a for a in arrays if a.ndim == 4)
                bias = next(a for a in arrays if a.ndim == 1)
                found[name.replace("/", "_")] = (kernel, bias)
    return found


def _datasets(group: h5py.Group) -> list[np.ndarray]:
    found = []
    group.visititems(lambda _, o: found.append(o[()]) if isinstance(o, h5py.Dataset) else None)
    return found


def load_squeezenet(path: Path) -> keras.Model:
    """From the shipped Keras 3 file (safe mode), or rebuilt from the original HDF5 file."""
    if Path(path).suffix == ".keras":
        return cards.load_shipped(path, rebuild="python -m core convert squeezenet")[0]
    model = squeezenet_architecture()
    arrays = h5_arrays(path)
    convs = [lyr for lyr in model.layers if isinstance(lyr, layers.Conv2D)]
    if sorted(lyr.name for lyr in convs) != sorted(arrays):
        raise ValueError(f"{path} does not hold the SqueezeNet v1.1 layers")
    for lyr in convs:
        lyr.set_weights(list(arrays[lyr.name]))  # set_weights checks the shapes
    return model


def _application(builder, preprocess: layers.Layer, path: Path | None) -> keras.Model:
    """A keras.applications CNN built on top of `preprocess`, in one flat graph.

    Passing the preprocessed tensor as `input_tensor` (rather than calling the application as
    a nested model) keeps its layers' outputs reachable from our input, so that
    `feature_extractor` can tap them. `path=None` builds it untrained (tests, offline).
    """
    inputs = keras.Input((None, None, 3), name="image")
    net = builder(include_top=False, weights=None if path is None else str(path),
                  input_tensor=preprocess(inputs), input_shape=(None, None, 3))
    return keras.Model(inputs, net.output, name=net.name)  # one input, not a list of one


def load_inception(path: Path | None) -> keras.Model:
    return _application(keras.applications.InceptionV3, ScaleInput(name="inception_input"), path)


def load_vgg16(path: Path | None) -> keras.Model:
    return _application(keras.applications.VGG16, CaffeInput(name="caffe_input"), path)


@dataclass(frozen=True)
class Backbone:
    title: str  # marked N_(): the page shows _(title)
    resource: str  # core.datasets resource name of its weights
    loader: object
    layers: tuple[str, ...]  # dreamable layers, shallow to deep
    presets: dict[str, dict] = field(default_factory=dict)
    min_side: int = 32  # smallest input its deepest layer accepts
    shipped: str | None = None  # its weights converted into assets/, preferred to `resource`


def _preset(layer_weights: dict, octaves: int, steps: int, step_size: float,
            max_loss: float | None = None) -> dict:
    return {"layers": layer_weights, "octaves": octaves, "steps": steps, "step_size": step_size,
            "max_loss": max_loss}


# SqueezeNet's loss (weighted mean squared activations of Caffe-scale features) runs in the tens
# of thousands. The max_loss values below come from six real photos at 384 and 512 px: unclipped,
# the last octave of `subtle` ends near 18-28k, `classic` near 116-286k, `wild` near 230-350k.
# They let `subtle` run nearly free, stop `classic`'s later octaves early on busy photos, and
# cut `wild` short on every photo before its colours burn out (keras.io clips InceptionV3 at 15).


BACKBONES = {
    "squeezenet": Backbone(
        N_("SqueezeNet v1.1 (small and fast)"), "squeezenet", load_squeezenet,
        tuple(f"fire{n}_concat" for n in FIRES),
        {"subtle": _preset({"fire3_concat": 1.0, "fire4_concat": 0.5}, 2, 10, 0.01, 25e3),
         "classic": _preset({"fire5_concat": 1.0, "fire6_concat": 1.5, "fire7_concat": 2.0},
                            3, 20, 0.01, 150e3),
         "wild": _preset({"fire7_concat": 1.5, "fire8_concat": 2.0, "fire9_concat": 2.5},
                         4, 30, 0.02, 200e3)},
        shipped="dream/squeezenet_v1_1.keras"),
    "inception": Backbone(
        N_("InceptionV3 (keras.io's choice)"), "inception-v3", load_inception,
        tuple(f"mixed{n}" for n in range(11)),
        # keras.io's max_loss, set there for its classic layers (no weights here to measure).
        {"subtle": _preset({"mixed2": 1.0, "mixed3": 0.5}, 2, 10, 0.01, 15.0),
         "classic": _preset({"mixed4": 1.0, "mixed5": 1.5, "mixed6": 2.0, "mixed7": 2.5},
                            3, 20, 0.01, 15.0),
         "wild": _preset({"mixed7": 1.5, "mixed8": 2.0, "mixed9": 2.5}, 4, 30, 0.02, 15.0)},
        min_side=75),
    # VGG16 runs unclipped, as in the book (both editions' deep dream code uses VGG16: the
    # Japanese edition's ch07/deep_dream.py, the English edition's Chapter07/deep-dream.py);
    # without its weights here, no threshold was measured.
    "vgg16": Backbone(
        N_("VGG16 (the book's choice, in both editions)"), "vgg16", load_vgg16,
        ("block1_conv2", "block2_conv2", "block3_conv3", "block4_conv3", "block5_conv3"),
        {"subtle": _preset({"block2_conv2": 1.0, "block3_conv3": 0.5}, 2, 10, 0.01),
         "classic": _preset({"block3_conv3": 1.0, "block4_conv3": 1.5}, 3, 20, 0.01),
         "wild": _preset({"block4_conv3": 1.5, "block5_conv3": 2.5}, 4, 30, 0.02)}),
}
PRESETS = ("subtle", "classic", "wild")


def shipped_weights(key: str) -> Path | None:
    """The backbone's weights as shipped in assets/, or None (not shipped, or not there)."""
    shipped = BACKBONES[key].shipped
    return ASSETS / shipped if shipped and (ASSETS / shipped).exists() else None


@functools.lru_cache(maxsize=3)
def load(key: str, path: Path) -> keras.Model:
    return BACKBONES[key].loader(Path(path))


def feature_extractor(model: keras.Model, layer_names: tuple[str, ...]) -> keras.Model:
    """The same weights, returning the chosen layers' activations (in the given order)."""
    outputs = [_find_layer(model, name).output for name in layer_names]
    return keras.Model(model.input, outputs)


def _find_layer(model: keras.Model, name: str):
    for lyr in model.layers:
        if lyr.name == name:
            return lyr
        if isinstance(lyr, keras.Model):
            try:
                return _find_layer(lyr, name)
            except KeyError:
                pass
    raise KeyError(f"{model.name} has no layer {name!r}")
