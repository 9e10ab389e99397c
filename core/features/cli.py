"""Feature visualization: compute the shipped feature grids of SqueezeNet, and benchmark them."""

from __future__ import annotations

import argparse

from core.args import output_dir, positive_int, prepare, print_json


def train_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", type=output_dir, default=None,
                        help="folder for the grids and their card (default: assets/features)")


def train(args: argparse.Namespace) -> int:
    from core.features import shipped

    folder = prepare(args.out, is_dir=True) if args.out else shipped.ASSETS
    card = shipped.ship(folder=folder)
    print_json({"layers": list(card.layers), "training_seconds": card.training_seconds})
    return 0


def bench_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--repeats", type=positive_int, default=3, help="timings per figure")


def bench(args: argparse.Namespace) -> int:
    """Median milliseconds of one layer's 12 images (what a queued job does) and of one
    photo's activation maps, for a shallow and a deep layer."""
    import numpy as np
    from PIL import Image

    from core import cards
    from core.dream import model as dream_model
    from core.features import channels, shipped

    net = dream_model.load("squeezenet", dream_model.shipped_weights("squeezenet"))
    photo = np.asarray(Image.open(shipped.SAMPLE_PHOTO).convert("RGB"))
    result = {}
    for layer in ("fire2_concat", "fire8_concat"):
        settings = shipped.settings_for(layer)
        result[f"{layer}_grid_ms"] = round(cards.latency_ms(
            lambda s=settings: shipped.compute(net, s), args.repeats), 1)
        result[f"{layer}_photo_maps_ms"] = round(cards.latency_ms(
            lambda lyr=layer: channels.activations(net, lyr, photo), 10), 1)
    print_json({**result, "repeats": args.repeats})
    return 0
