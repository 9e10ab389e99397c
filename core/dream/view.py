"""What the Deep Dream page shows: the sample photo, each backbone's weights size, a dream's job
id, the session's recent dreams as PNG files, and the source of the loss and of one step."""

from __future__ import annotations

import hashlib
import inspect
import textwrap
from collections.abc import MutableMapping

from core import datasets
from core.cards import ASSETS
from core.dream import engine, model
from core.i18n import N_

SAMPLE_PHOTO = ASSETS / "dream" / "chelsea.jpg"  # CC0; see chelsea.txt beside it
SAMPLE_CREDIT = N_("Chelsea the cat · Stefan van der Walt, CC0")
RECENT = 4  # dreams kept per session, so that reruns never recompute them


def weights_megabytes(key: str) -> float | None:
    """The size of the backbone's weights file on this machine (MB), None where it is not here.
    Measured, so that the page never states a size it has not seen."""
    path = model.shipped_weights(key) or datasets.availability(model.BACKBONES[key].resource).path
    return path.stat().st_size / 1e6 if path is not None else None


def job_id(photo_bytes: bytes, backbone: str, settings: engine.Settings, side: int) -> str:
    """One id per (photo, backbone, settings, working size): equal ids, equal dreams."""
    layers = sorted(settings.layers.items())
    parts = (hashlib.sha256(photo_bytes).hexdigest(), backbone, [n for n, __ in layers],
             [w for __, w in layers], settings.octaves, settings.steps, settings.step_size, side,
             settings.seed, settings.max_loss)
    return hashlib.sha256(repr(parts).encode()).hexdigest()


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
