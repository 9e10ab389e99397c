"""Style images that the project draws itself, from fixed seeds (no third-party material):
`python -m core draw style` writes them into assets/style/ with a card (styles.json) that records
the command, their licence and each file's sha256; the tests check that the command redraws
them exactly."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

from core.cards import ASSETS
from core.i18n import N_

FOLDER = ASSETS / "style"
SIDE = 384


def _palette(*hexes: str) -> np.ndarray:
    return np.array([[int(h[i:i + 2], 16) for i in (1, 3, 5)] for h in hexes], np.float64)


def stained_glass(side: int = SIDE, seed: int = 1) -> Image.Image:
    """Voronoi cells in jewel colours, each lit a little unevenly, with dark lead between."""
    rng = np.random.default_rng(seed)
    colours = _palette("#8c1c13", "#1d4e89", "#f2a541", "#2a7f62", "#5b2a86", "#d95d39",
                       "#0f8b8d", "#e9d985")
    seeds = rng.uniform(0, side, (140, 2))
    yy, xx = np.mgrid[0:side, 0:side].astype(np.float64)
    dist = np.hypot(yy[..., None] - seeds[:, 0], xx[..., None] - seeds[:, 1])
    order = np.argsort(dist, axis=-1)
    nearest, second = np.take_along_axis(dist, order[..., :2], axis=-1).transpose(2, 0, 1)
    cell = order[..., 0]
    rgb = colours[rng.integers(0, len(colours), len(seeds))][cell]
    light = 0.75 + 0.35 * (1 - nearest / (nearest.max() + 1e-9))  # brighter towards a centre
    rgb = rgb * light[..., None]
    lead = (second - nearest) < 2.2
    rgb[lead] = (25, 20, 20)
    return Image.fromarray(np.clip(rgb, 0, 255).astype(np.uint8))


def swirls(side: int = SIDE, seed: int = 2) -> Image.Image:
    """Brush strokes that follow a field of whirlpools (noise smeared along its flow lines),
    in night blues with yellow light."""
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:side, 0:side].astype(np.float64)
    vy, vx = np.zeros_like(yy), np.zeros_like(xx)
    for cy, cx, turn in zip(rng.uniform(0, side, 7), rng.uniform(0, side, 7),
                            rng.choice([-1.0, 1.0], 7), strict=True):
        dy, dx = yy - cy, xx - cx
        fall = np.exp(-(dy**2 + dx**2) / (2 * (side / 5) ** 2))
        vy, vx = vy + turn * dx * fall, vx - turn * dy * fall
    vx += 0.15 * side / 5  # a gentle wind from the left between the whirls
    norm = np.hypot(vy, vx) + 1e-9
    vy, vx = vy / norm, vx / norm
    noise = rng.random((side // 2, side // 2)).repeat(2, axis=0).repeat(2, axis=1)  # 2-px bristles
    smeared = noise.copy()
    for direction in (1.0, -1.0):  # follow the flow forwards, then backwards
        py, px = yy.copy(), xx.copy()
        for _ in range(18):
            iy, ix = np.clip(py.round().astype(int), 0, side - 1), np.clip(
                px.round().astype(int), 0, side - 1)
            py, px = py + direction * vy[iy, ix], px + direction * vx[iy, ix]
            iy, ix = np.clip(py.round().astype(int), 0, side - 1), np.clip(
                px.round().astype(int), 0, side - 1)
            smeared += noise[iy, ix]
    smeared = (smeared - smeared.min()) / (np.ptp(smeared) + 1e-9)
    colours = _palette("#0b1d51", "#1f3c88", "#3f72af", "#8fb8de", "#f6d55c", "#f9f3c2")
    t = np.clip((smeared - 0.3) / 0.45, 0, 1) * (len(colours) - 1)
    low = np.floor(t).astype(int)
    high = np.minimum(low + 1, len(colours) - 1)
    rgb = colours[low] + (colours[high] - colours[low]) * (t - low)[..., None]
    return Image.fromarray(np.clip(rgb, 0, 255).astype(np.uint8))


def woodcut_waves(side: int = SIDE, seed: int = 3) -> Image.Image:
    """Bands of wavy stripes in indigo, blue and cream, like a woodblock print of the sea."""
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:side, 0:side].astype(np.float64) / side
    phase = sum(a * np.sin(f * 2 * np.pi * xx + p) for a, f, p in
                zip(rng.uniform(0.02, 0.06, 3), (1.5, 3.0, 7.0), rng.uniform(0, 6.3, 3),
                    strict=True))
    crest = 0.04 * np.sin(2 * np.pi * 3 * xx + 10 * yy) ** 9  # curling crests
    bands = np.mod((yy + phase + crest) * 14, 1.0)
    colours = _palette("#16213e", "#1b4f8c", "#4f86c6", "#f4ecd6")
    index = np.digitize(bands, [0.35, 0.6, 0.88])
    rgb = colours[index]
    grain = rng.normal(0, 10, (side, side, 1))  # the wood's grain in the ink
    return Image.fromarray(np.clip(rgb + grain, 0, 255).astype(np.uint8))


def shards(side: int = SIDE, seed: int = 4) -> Image.Image:
    """Overlapping flat-coloured triangles with dark outlines, like a cubist collage."""
    rng = np.random.default_rng(seed)
    colours = _palette("#e63946", "#f1c453", "#2a9d8f", "#264653", "#e9c46a", "#f4a261",
                       "#6d597a", "#f1faee")
    img = Image.new("RGB", (side, side), (240, 230, 210))
    draw = ImageDraw.Draw(img)
    for _ in range(90):
        centre = rng.uniform(0, side, 2)
        points = [tuple(centre + rng.normal(0, side / 9, 2)) for _ in range(3)]
        colour = tuple(int(c) for c in colours[rng.integers(0, len(colours))])
        draw.polygon(points, fill=colour, outline=(30, 30, 35), width=3)
    return img.filter(ImageFilter.SMOOTH)


# file name (without .png) -> (what a student reads, how it is drawn)
STYLES: dict[str, tuple[str, Callable[[], Image.Image]]] = {
    "swirls": (N_("Swirls"), swirls),
    "stained_glass": (N_("Stained glass"), stained_glass),
    "woodcut_waves": (N_("Woodcut waves"), woodcut_waves),
    "shards": (N_("Shards"), shards),
}
CARD = "styles.json"
LICENSE = ("CC0-1.0: drawn by this project's own code (core/style/pictures.py) from fixed "
           "seeds; no third-party material")


def path_of(name: str) -> Path:
    return FOLDER / f"{name}.png"


def write_all(folder: Path = FOLDER) -> dict:
    """Draw every style image into `folder` as PNG, with the card; returns the card."""
    from core.datasets import sha256_of

    folder.mkdir(parents=True, exist_ok=True)
    images = {}
    for name, (title, draw) in STYLES.items():
        path = folder / f"{name}.png"
        draw().save(path, format="PNG", optimize=True)
        images[name] = {"file": path.name, "title": title, "function": draw.__name__,
                        "sha256": sha256_of(path)}
    card = {"command": "python -m core draw style", "license": LICENSE, "side": SIDE,
            "images": images}
    (folder / CARD).write_text(json.dumps(card, indent=2) + "\n")
    return {**card, "folder": folder}
