"""From a photo to a dream: working size, the shared lock, the backbone, back to full size."""

from __future__ import annotations

import functools
import threading
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
from PIL import Image

from core.cards import ASSETS
from core.dream import backbones, engine
from core.images import fit_within

DEFAULT_SIDE, MAX_SIDE = 512, 1024
SAMPLE_PHOTO = ASSETS / "dream" / "chelsea.jpg"  # CC0; see chelsea.txt beside it
SAMPLE_CREDIT = "Chelsea the cat · Stefan van der Walt, CC0"
WAIT_LIMIT_S = 180  # a queued dream gives up after this long rather than wait forever
WAIT_POLL_S = 0.5  # how often a waiting dream reports that it is still waiting


class Busy(RuntimeError):
    """Other dreams kept the server busy for longer than a dream may wait."""


def settings_for(backbone: str, preset: str = "classic", **overrides) -> engine.Settings:
    chosen = backbones.BACKBONES[backbone]
    return engine.Settings(**{**chosen.presets[preset], "min_side": chosen.min_side,
                              **overrides})


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
                on_wait: Callable[[float], None] | None = None,
                wait_limit_s: float | None = None, compiled: bool = True) -> Image.Image:
    """Dream on an RGB photo at a working size; the result has the photo's size.

    Only one dream runs at a time in this process: while another one holds the lock,
    `on_wait(seconds_waited)` is called about every WAIT_POLL_S, and after `wait_limit_s`
    (default WAIT_LIMIT_S) this call gives up with `Busy`. The lock is released however the
    dream ends.
    """
    if not settings.layers:
        raise ValueError("Choose at least one layer to dream with.")
    side = max(engine.MIN_SIDE, min(int(working_side), MAX_SIDE))
    small = np.asarray(fit_within(photo.convert("RGB"), side))
    run = dreamer(backbone, Path(weights_path), tuple(settings.layers.items()), compiled)
    _wait_for_the_lock(on_wait, WAIT_LIMIT_S if wait_limit_s is None else wait_limit_s)
    try:
        out = engine.run(run, small, settings, progress=progress, cancel=cancel)
    finally:
        engine.DREAM_LOCK.release()
    result = Image.fromarray(out)
    return result if result.size == photo.size else result.resize(photo.size, Image.LANCZOS)


def _wait_for_the_lock(on_wait: Callable[[float], None] | None, limit_s: float) -> None:
    start = time.monotonic()
    while not engine.DREAM_LOCK.acquire(timeout=WAIT_POLL_S):
        waited = time.monotonic() - start
        if waited >= limit_s:
            raise Busy(f"The server has been busy with other dreams for {waited:.0f} s, so "
                       "yours did not start. Please press Dream again in a minute.")
        if on_wait is not None:
            on_wait(waited)  # may raise (Streamlit stops a script here): no lock is held


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
