"""From a photo to a dream: working size, the shared lock, the backbone, back to full size."""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from pathlib import Path

import numpy as np
from PIL import Image

from core.dream import backbones, engine
from core.images import fit_within

DEFAULT_SIDE, MAX_SIDE = 512, 1024


def settings_for(backbone: str, preset: str = "classic", **overrides) -> engine.Settings:
    chosen = {**backbones.BACKBONES[backbone].presets[preset], **overrides}
    chosen.setdefault("max_loss", backbones.BACKBONES[backbone].max_loss)
    return engine.Settings(**chosen)


@functools.lru_cache(maxsize=8)
def dreamer(backbone: str, weights_path: Path, layers: tuple[tuple[str, float], ...],
            compiled: bool = True) -> engine.Dreamer:
    """A Dreamer per (backbone, layers, weights), kept so its compiled step is reused."""
    model = backbones.load(backbone, Path(weights_path))
    extractor = backbones.feature_extractor(model, tuple(name for name, _ in layers))
    return engine.Dreamer(extractor, [w for _, w in layers], compiled=compiled)


def dream_photo(photo: Image.Image, backbone: str, weights_path: Path,
                settings: engine.Settings, *, working_side: int = DEFAULT_SIDE,
                progress: engine.Progress | None = None,
                cancel: threading.Event | None = None,
                on_wait: Callable[[], None] | None = None, compiled: bool = True) -> Image.Image:
    """Dream on an RGB photo at a working size; the result has the photo's size.

    Only one dream runs at a time in this process: `on_wait()` is called if another one
    holds the lock, then this call waits its turn.
    """
    if not settings.layers:
        raise ValueError("Choose at least one layer to dream with.")
    side = max(engine.MIN_SIDE, min(int(working_side), MAX_SIDE))
    small = np.asarray(fit_within(photo.convert("RGB"), side))
    run = dreamer(backbone, Path(weights_path), tuple(settings.layers.items()), compiled)
    if not engine.DREAM_LOCK.acquire(blocking=False):
        if on_wait is not None:
            on_wait()
        engine.DREAM_LOCK.acquire()
    try:
        out = engine.run(run, small, settings, progress=progress, cancel=cancel)
    finally:
        engine.DREAM_LOCK.release()
    result = Image.fromarray(out)
    return result if result.size == photo.size else result.resize(photo.size, Image.LANCZOS)


def generated_picture(side: int = DEFAULT_SIDE, seed: int = 0) -> Image.Image:
    """A generated stand-in for a photo: soft colour waves, a few discs and sensor noise."""
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:side, 0:side] / side
    rgb = np.stack([0.5 + 0.35 * np.sin(6 * xx + 1), 0.5 + 0.35 * np.cos(5 * yy),
                    0.5 + 0.3 * np.sin(4 * (xx + yy))], axis=-1)
    for _ in range(6):
        cy, cx, r = rng.uniform(0.15, 0.85), rng.uniform(0.15, 0.85), rng.uniform(0.05, 0.15)
        disc = (yy - cy) ** 2 + (xx - cx) ** 2 < r ** 2
        rgb[disc] = rng.uniform(0.1, 0.9, 3)
    rgb += rng.normal(0, 0.03, rgb.shape)
    return Image.fromarray((np.clip(rgb, 0, 1) * 255).astype(np.uint8))
