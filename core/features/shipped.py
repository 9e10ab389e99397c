"""The feature grids that ship: for the default layers, the image that most excites each of
CHANNELS evenly spaced channels, computed once by `python -m core train features` and read
by the page instantly and offline. Other layers and channels are computed on request."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

import numpy as np
from PIL import Image

from core import cards, datasets
from core.dream import model as dream_model
from core.features import channels as chans
from core.features.ascent import Settings, Visualizer

ASSETS = cards.ASSETS / "features"
CARD = ASSETS / "features.json"
REBUILD = "python -m core train features"
SHIPPED_LAYERS = ("conv1", "fire3_concat", "fire5_concat", "fire7_concat", "fire9_concat")
CHANNELS = 12
SAMPLE_PHOTO = cards.ASSETS / "dream" / "chelsea.jpg"
# The comparison: a few of one layer's channels grown as plain pixels without jitter.
PLAIN_LAYER, PLAIN_CHANNELS = "fire5_concat", 4
PLAIN_FILE = "fire5_concat_plain.jpg"


def default_channels(layer: str, k: int = CHANNELS) -> tuple[int, ...]:
    """k channels spread evenly over the layer's width."""
    return tuple(int(c) for c in np.linspace(0, chans.width(layer) - 1, k).round())


def settings_for(layer: str, picked: tuple[int, ...] | None = None, seed: int = 0) -> Settings:
    """The shipped recipe for a layer. conv1's 3×3 filters at stride 2 respond to pixel-sized
    stripes and colours, which only plain pixels without jitter can show; the deeper a layer,
    the larger the patterns its channels cover, so the larger the image and the jitter."""
    channels = picked or default_channels(layer)
    if layer == "conv1":
        return Settings(layer, channels, size=64, steps=64, jitter=0, decay=0.0, seed=seed)
    depth = int(layer[4])
    if depth <= 5:
        return Settings(layer, channels, size=96, steps=96, jitter=3 if depth <= 3 else 5,
                        seed=seed)
    return Settings(layer, channels, size=128, steps=128, jitter=8, seed=seed)


@dataclass(frozen=True)
class FeaturesCard(cards.Card):
    layers: dict = field(default_factory=dict)  # layer -> its settings and file


def grid_path(layer: str, folder: Path = ASSETS) -> Path:
    return folder / f"{layer}.jpg"


def write_tiles(path: Path, tiles: np.ndarray) -> None:
    """(k, s, s, 3) uint8 -> one JPEG, the tiles side by side."""
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(np.concatenate(list(tiles), axis=1)).save(path, quality=88, optimize=True)


def read_tiles(path: Path, k: int) -> np.ndarray:
    strip = np.asarray(Image.open(path).convert("RGB"))
    return np.stack(np.split(strip, k, axis=1))


def compute(net, settings: Settings, progress=None) -> tuple[np.ndarray, np.ndarray]:
    """(tiles, each channel's mean activation on its tile) for one layer's channels."""
    return Visualizer(chans.PreActivations(net, settings.layer)).run(settings, progress)


def ship(layers: tuple[str, ...] = SHIPPED_LAYERS, folder: Path = ASSETS,
         command: str | None = None, log: Callable[[str], None] = print) -> FeaturesCard:
    weights = dream_model.shipped_weights("squeezenet")
    if weights is None:
        raise FileNotFoundError("assets/dream/squeezenet_v1_1.keras is missing: rebuild it "
                                "with `python -m core convert squeezenet`")
    net = dream_model.load("squeezenet", weights)
    photo = np.asarray(Image.open(SAMPLE_PHOTO).convert("RGB"))
    entries, metrics, started = {}, {}, time.perf_counter()
    for layer in layers:
        settings = settings_for(layer)
        begun = time.perf_counter()
        tiles, __ = compute(net, settings)
        write_tiles(grid_path(layer, folder), tiles)
        picked = list(settings.channels)
        on_tiles = [chans.activations(net, layer, tile).mean(axis=(0, 1))[c]
                    for tile, c in zip(tiles, picked, strict=True)]
        on_photo = chans.activations(net, layer, photo).mean(axis=(0, 1))[picked]
        seconds = time.perf_counter() - begun
        log(f"{layer}: {len(settings.channels)} channels in {seconds:.0f} s")
        entries[layer] = {"file": grid_path(layer, folder).name, "settings": asdict(settings),
                          "seconds": round(seconds, 1)}
        # How much more each image excites its channel than the sample photo does (the
        # channel's mean activation, after its ReLU, over the whole picture).
        metrics[layer] = {"image_activation": [round(float(v), 2) for v in on_tiles],
                          "photo_activation": [round(float(v), 2) for v in on_photo]}
    plain = settings_for(PLAIN_LAYER)
    plain = replace(plain, channels=plain.channels[:PLAIN_CHANNELS], decay=0.0, jitter=0)
    write_tiles(folder / PLAIN_FILE, compute(net, plain)[0])
    entries["plain"] = {"file": PLAIN_FILE, "settings": asdict(plain)}
    return cards.write_card(
        folder / CARD.name, FeaturesCard, command=command or cards.training_command(),
        data_sha256={f"dream/{weights.name}": datasets.sha256_of(weights),
                     f"dream/{SAMPLE_PHOTO.name}": datasets.sha256_of(SAMPLE_PHOTO)},
        metrics={"mean_activation": metrics}, layers=entries,
        training_seconds=round(time.perf_counter() - started, 1))


def read_card(folder: Path = ASSETS) -> FeaturesCard | None:
    """The shipped grids' card, or None when the grids are not shipped."""
    path = folder / CARD.name
    return cards.read_card(path, FeaturesCard) if path.exists() else None


def shipped_tiles(layer: str, picked: tuple[int, ...], folder: Path = ASSETS
                  ) -> np.ndarray | None:
    """The shipped tiles of a layer when they are exactly the channels asked for (else None);
    `layer` "plain" is the comparison grown without jitter or frequency penalty."""
    card = read_card(folder)
    entry = card.layers.get(layer) if card else None
    if entry is None or tuple(entry["settings"]["channels"]) != tuple(picked):
        return None
    path = folder / entry["file"]
    return read_tiles(path, len(picked)) if path.exists() else None


def plain_channels(folder: Path = ASSETS) -> tuple[int, ...]:
    card = read_card(folder)
    entry = card.layers.get("plain") if card else None
    return tuple(entry["settings"]["channels"]) if entry else ()

