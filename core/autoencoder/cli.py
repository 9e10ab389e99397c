"""Autoencoders on MNIST and Fashion-MNIST: train and evaluate the shipped models."""

from __future__ import annotations

import argparse
import sys

from core.args import input_file, non_negative_int, output_dir, positive_int, prepare, print_json

DATASETS = ("mnist", "fashion")
MODELS = ("dense", "conv", "denoise", "latent2d")


def train_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--dataset", choices=DATASETS, required=True)
    parser.add_argument("--model", choices=MODELS, required=True)
    parser.add_argument("--epochs", type=positive_int, default=None,
                        help="default: the shipped recipe (training.shipped_recipe)")
    parser.add_argument("--seed", type=non_negative_int, default=None,
                        help="default: the shipped seed")
    parser.add_argument("--out", type=output_dir, default=None,
                        help="folder for <dataset>_<model>.keras/.json (default: assets/)")


def train(args: argparse.Namespace) -> int:
    from dataclasses import replace

    from core.autoencoder import training

    if args.out is not None:
        prepare(args.out, is_dir=True)
    changes = {k: v for k, v in (("epochs", args.epochs), ("seed", args.seed)) if v is not None}
    recipe = replace(training.shipped_recipe(args.dataset, args.model), **changes)
    card = training.train_and_ship(args.dataset, args.model, data_dir=args.data_dir,
                                   recipe=recipe, out_dir=args.out or training.ASSETS)
    print_json({"dataset": args.dataset, "model": args.model, **card.validation,
                "training_seconds": card.training_seconds})
    return 0


def evaluate_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--dataset", choices=DATASETS, required=True)
    parser.add_argument("--model", choices=MODELS, required=True)
    parser.add_argument("--images", type=input_file, default=None,
                        help="an IDX file of 28×28 images (*-images-idx3-ubyte[.gz]); "
                             "default: the validation split of the development data")


def evaluate(args: argparse.Namespace) -> int:
    from core import mnist
    from core.autoencoder import data, training

    try:  # the input first: a bad file is refused before the model is loaded
        if args.images is None:
            images = data.load(args.dataset, args.data_dir).x_val
        else:
            images = mnist.read_images_idx(args.images)
    except (mnist.DataFormatError, OSError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    if len(images) == 0:
        print(f"error: {args.images}: the file holds no images to evaluate", file=sys.stderr)
        return 2
    try:
        model, _ = training.load_shipped(args.dataset, args.model)
    except FileNotFoundError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    result = training.measure(model, args.model, data.as_float(images))
    print_json({"dataset": args.dataset, "model": args.model, **result})
    return 0
