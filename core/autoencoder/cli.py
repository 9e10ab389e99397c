"""Autoencoders on MNIST and Fashion-MNIST: train and evaluate the shipped models."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

DATASETS = ("mnist", "fashion")
MODELS = ("dense", "conv", "denoise", "latent2d")


def train_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--dataset", choices=DATASETS, required=True)
    parser.add_argument("--model", choices=MODELS, required=True)
    parser.add_argument("--epochs", type=int, default=None,
                        help="default: the shipped recipe (training.shipped_recipe)")
    parser.add_argument("--seed", type=int, default=None, help="default: the shipped seed")
    parser.add_argument("--out", type=Path, default=None,
                        help="folder for <dataset>_<model>.keras/.json (default: assets/)")


def train(args: argparse.Namespace) -> int:
    from dataclasses import replace

    from core.autoencoder import training

    changes = {k: v for k, v in (("epochs", args.epochs), ("seed", args.seed)) if v is not None}
    recipe = replace(training.shipped_recipe(args.dataset, args.model), **changes)
    card = training.train_and_ship(args.dataset, args.model, data_dir=args.data_dir,
                                   recipe=recipe, out_dir=args.out or training.ASSETS)
    print(json.dumps({"dataset": args.dataset, "model": args.model, **card.validation,
                      "training_seconds": card.training_seconds}))
    return 0


def evaluate_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--dataset", choices=DATASETS, required=True)
    parser.add_argument("--model", choices=MODELS, required=True)
    parser.add_argument("--images", type=Path, default=None,
                        help="an IDX file of 28×28 images (*-images-idx3-ubyte[.gz]); "
                             "default: the validation split of the development data")


def evaluate(args: argparse.Namespace) -> int:
    from core import mnist
    from core.autoencoder import data, training

    try:
        model, _ = training.load_shipped(args.dataset, args.model)
    except FileNotFoundError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    try:
        if args.images is None:
            images = data.load(args.dataset, args.data_dir).x_val
        else:
            images = mnist.read_images_idx(args.images)
    except (mnist.DataFormatError, OSError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    result = training.measure(model, args.model, data.as_float(images))
    print(json.dumps({"dataset": args.dataset, "model": args.model, **result}))
    return 0
