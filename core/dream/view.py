"""What the Deep Dream page shows: from a photo to a dream (working size, the shared lock, the
backbone, back to full size), a dream's job id, the session's recent dreams as PNG files, and the
gradient-ascent step's own source."""

from __future__ import annotations

import functools
import hashlib
import inspect
import io
import textwrap
import threading
import time
from collections.abc import Callable, MutableMapping
from pathlib import Path

import numpy as np
from PIL import Image

from core.cards import ASSETS
from core.dream import engine, model
from core.images import fit_within

DEFAULT_SIDE, MAX_SIDE = 512, 1024
SAMPLE_PHOTO = ASSETS / "dream" / "chelsea.jpg"  # CC0; see chelsea.txt beside it
SAMPLE_CREDIT = "Chelsea the cat · Stefan van der Walt, CC0"
WAIT_LIMIT_S = 180  # a queued dream gives up after this long rather than wait forever
WAIT_POLL_S = 0.5  # how often a waiting dream reports that it is still waiting
RECENT = 4  # dreams kept per session, so that reruns never recompute them


class Busy(RuntimeError):
    """Other dreams kept the server busy for longer than a dream may wait."""


def settings_for(backbone: str, preset: str = "classic", **overrides) -> engine.Settings:
    chosen = model.BACKBONES[backbone]
    return engine.Settings(**{**chosen.presets[preset], "min_side": chosen.min_side,
                              **overrides})


@functools.lru_cache(maxsize=8)
def dreamer(backbone: str, weights_path: Path, layers: tuple[tuple[str, float], ...],
            compiled: bool = True) -> engine.Dreamer:
    """A Dreamer per (backbone, layers, weights), kept so its compiled step is reused."""
    net = model.load(backbone, Path(weights_path))
    extractor = model.feature_extractor(net, tuple(name for name, _ in layers))
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


def dream_work(photo: Image.Image, backbone: str, weights_path: Path,
               settings: engine.Settings, side: int) -> Callable:
    """The dream as work for the server's shared queue (`core.jobs`): it reports progress and a
    preview every fifth step, stops when its job is cancelled, and returns the dream as PNG."""
    def work(job) -> bytes:
        total = settings.octaves * settings.steps

        def progress(octave, step, loss, image):
            clipped = (" · past the max loss: next octave"
                       if settings.max_loss and loss > settings.max_loss else "")
            job.report((octave * settings.steps + step + 1) / total,
                       f"Octave {octave + 1}/{settings.octaves}, step {step + 1}/"
                       f"{settings.steps} · loss {loss:,.1f}{clipped}",
                       preview=image if step % 5 == 4 or step == settings.steps - 1 else None)

        return png_bytes(dream_photo(photo, backbone, weights_path, settings, working_side=side,
                                     progress=progress, cancel=job.cancel_event))
    return work


def job_id(photo_bytes: bytes, backbone: str, settings: engine.Settings, side: int) -> str:
    """One id per (photo, backbone, settings, working size): equal ids, equal dreams."""
    layers = sorted(settings.layers.items())
    parts = (hashlib.sha256(photo_bytes).hexdigest(), backbone, [n for n, _ in layers],
             [w for _, w in layers], settings.octaves, settings.steps, settings.step_size, side,
             settings.seed, settings.max_loss)
    return hashlib.sha256(repr(parts).encode()).hexdigest()


def png_bytes(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def png_image(png: bytes) -> Image.Image:
    return Image.open(io.BytesIO(png))


def remember(recent: MutableMapping[str, bytes], job: str, png: bytes,
             keep: int = RECENT) -> None:
    """Keep a dream's PNG under its job id; the oldest ones go beyond `keep`."""
    recent[job] = png
    while len(recent) > keep:
        recent.pop(next(iter(recent)))


def loss_code() -> str:
    """The source of the loss that the dream climbs, exactly as it runs."""
    return textwrap.dedent(inspect.getsource(engine.Dreamer.loss))


def step_code() -> str:
    """The source of one gradient-ascent step, exactly as it runs."""
    return textwrap.dedent(inspect.getsource(engine.Dreamer._step))
