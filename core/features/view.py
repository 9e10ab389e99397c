"""What the Features page shows, computed: the layer menu, channel choices, activation maps laid
over a photo, and the queued work that grows new feature images (no Streamlit here)."""

from __future__ import annotations

import hashlib

import numpy as np
from PIL import Image

from core.dream import model as dream_model
from core.features import channels, shipped
from core.i18n import N_

MIN_CHANNELS, MAX_CHANNELS = 1, 16
PHOTO_SIDE = 320  # the photo's longest side for activation maps
MIN_PHOTO_SIDE = 48  # SqueezeNet's last layers need this much (a thin strip is stretched)
LAYER_NOTES = {
    "conv1": N_("the first convolution: colours and pixel-sized stripes"),
    "fire2_concat": N_("shallow: edges and fine textures"),
    "fire3_concat": N_("shallow: textures"),
    "fire4_concat": N_("middle: patterns"),
    "fire5_concat": N_("middle: patterns and simple parts"),
    "fire6_concat": N_("deep: parts of things"),
    "fire7_concat": N_("deep: parts of things (eyes, fur)"),
    "fire8_concat": N_("deep: objects' parts"),
    "fire9_concat": N_("the last layer: whole objects' parts"),
}
PROBLEMS = {
    "too_few": N_("Choose at least {least} channel."),
    "too_many": N_("Choose at most {most} channels at once; you chose {n}."),
}


def channel_problems(picked: list[int]) -> list[tuple[str, dict]]:
    if len(picked) < MIN_CHANNELS:
        return [("too_few", {"least": MIN_CHANNELS})]
    if len(picked) > MAX_CHANNELS:
        return [("too_many", {"most": MAX_CHANNELS, "n": len(picked)})]
    return []


def network():
    """The shipped SqueezeNet (loaded once per process by core.dream.model)."""
    path = dream_model.shipped_weights("squeezenet")
    return None if path is None else dream_model.load("squeezenet", path)


def job_key(layer: str, picked: tuple[int, ...]) -> str:
    settings = shipped.settings_for(layer, picked)
    return "features-" + hashlib.sha256(repr(settings).encode()).hexdigest()[:16]


def features_work(layer: str, picked: tuple[int, ...]):
    """The queued job: grow one image per channel, showing the images as they form."""
    settings = shipped.settings_for(layer, tuple(picked))

    def work(job):
        def progress(done: int, images: np.ndarray) -> None:
            job.check()
            job.report(done / settings.steps, preview=images)

        tiles, __ = shipped.compute(network(), settings, progress)
        return tiles
    return work


def photo_array(photo: Image.Image) -> np.ndarray:
    """The photo as uint8 RGB, its longest side PHOTO_SIDE, its shortest at least
    MIN_PHOTO_SIDE."""
    photo = photo.convert("RGB")
    scale = PHOTO_SIDE / max(photo.size)
    size = (max(MIN_PHOTO_SIDE, round(photo.width * scale)),
            max(MIN_PHOTO_SIDE, round(photo.height * scale)))
    return np.asarray(photo.resize(size, Image.Resampling.LANCZOS))


def activation_maps(net, layer: str, photo: np.ndarray, picked: tuple[int, ...]
                    ) -> tuple[np.ndarray, np.ndarray]:
    """(each chosen channel's map over the photo (k, h', w'), its mean activation (k,))."""
    acts = channels.activations(net, layer, photo)[..., list(picked)]
    return np.moveaxis(acts, -1, 0), acts.mean(axis=(0, 1))


def overlay(photo: np.ndarray, act_map: np.ndarray, peak: float) -> np.ndarray:
    """The photo in grey with a channel's activation laid over it in warm colours, scaled so
    that `peak` is the brightest (a silent channel, peak 0, leaves the photo grey)."""
    heat = np.asarray(Image.fromarray(act_map.astype(np.float32)).resize(
        (photo.shape[1], photo.shape[0]), Image.Resampling.BILINEAR))
    heat = np.clip(heat / peak, 0, 1)[..., None] if peak > 0 else np.zeros((*photo.shape[:2], 1))
    grey = photo.astype(np.float32).mean(axis=2, keepdims=True) * 0.55
    warm = np.array([255, 190, 40], np.float32) * heat + np.array([200, 0, 60]) * heat ** 3
    return np.clip(grey * (1 - heat) + warm * (0.35 + 0.65 * heat), 0, 255).astype(np.uint8)
