"""The CNNs that judge content and style: the shipped SqueezeNet v1.1 (the Deep Dream page's,
offline) and the book's VGG19 (a download). Both take [-1, 1] RGB and convert it themselves."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

import keras

from core.dream import model as dream_model
from core.i18n import N_


def load_vgg19(path: Path | None) -> keras.Model:
    """VGG19 without its classifier on Caffe input, built like Deep Dream's VGG16
    (`path=None`: untrained, for tests and offline)."""
    return dream_model._application(keras.applications.VGG19,
                                    dream_model.CaffeInput(name="caffe_input"), path)


@dataclass(frozen=True)
class Backbone:
    title: str  # marked N_(): translated where shown
    resource: str  # core.datasets resource name of its weights
    layers: tuple[str, ...]  # layers that can carry content or style, shallow to deep
    content_layer: str  # the lab's default
    style_layers: tuple[str, ...]  # the lab's default
    book_content_layer: str  # the book's choice, or the nearest thing on this backbone
    book_style_layers: tuple[str, ...]
    min_side: int = 32  # smallest image its deepest layer accepts


BACKBONES = {
    # SqueezeNet has no blocks of convolutions like VGG's; for the book's recipe it gets the
    # deepest layer for content and five layers spread from shallow to deep for style.
    "squeezenet": Backbone(
        N_("SqueezeNet v1.1 (fast, 3 MB, ships with the app)"), "squeezenet",
        ("conv1", *(f"fire{n}_concat" for n in dream_model.FIRES)),
        # The lab's layers stop at fire5: deeper ones cost time and added little on the
        # drawn styles (compared by eye at 256 px).
        "fire5_concat", ("conv1", "fire2_concat", "fire3_concat", "fire5_concat"),
        "fire9_concat", ("conv1", "fire2_concat", "fire4_concat", "fire6_concat", "fire8_concat")),
    "vgg19": Backbone(
        N_("VGG19 (the book's choice, 80 MB)"), "vgg19",
        ("block1_conv1", "block2_conv1", "block3_conv1", "block4_conv1", "block4_conv2",
         "block5_conv1", "block5_conv2"),
        "block4_conv2", ("block1_conv1", "block2_conv1", "block3_conv1", "block4_conv1",
                         "block5_conv1"),
        "block5_conv2", ("block1_conv1", "block2_conv1", "block3_conv1", "block4_conv1",
                         "block5_conv1")),
}


def shipped_weights(key: str) -> Path | None:
    """SqueezeNet's weights as shipped in assets/dream; None for VGG19 (a download)."""
    return dream_model.shipped_weights(key) if key == "squeezenet" else None


@functools.lru_cache(maxsize=2)
def load(key: str, path: Path) -> keras.Model:
    if key == "squeezenet":
        return dream_model.load("squeezenet", Path(path))
    return load_vgg19(Path(path))


def feature_extractor(net: keras.Model, content_layer: str,
                      style_layers: tuple[str, ...]) -> keras.Model:
    """The same weights, returning the content layer's features, then each style layer's.
    Only the network up to the deepest of them is computed."""
    return dream_model.feature_extractor(net, (content_layer, *style_layers))
