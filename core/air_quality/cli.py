"""Benzene from the UCI Air Quality sensors: train and evaluate the shipped regressors."""

from __future__ import annotations

import argparse
import sys

from core.args import input_file, non_negative_int, output_dir, positive_int, prepare, print_json

KINDS = ("all", "sensors")


def train_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--model", choices=KINDS, required=True, help="which input set")
    parser.add_argument("--epochs", type=positive_int, default=None,
                        help="default: the shipped 150")
    parser.add_argument("--seed", type=non_negative_int, default=None,
                        help="default: the shipped seed")
    parser.add_argument("--out", type=output_dir, default=None,
                        help="folder for <model>.keras and <model>.json (default: assets/)")
    parser.add_argument("--no-baselines", action="store_true",
                        help="skip the least-squares and book baselines (quick trials)")


def train(args: argparse.Namespace) -> int:
    from dataclasses import replace

    from core.air_quality import training

    if args.out is not None:
        prepare(args.out, is_dir=True)
    changes = {k: v for k, v in (("epochs", args.epochs), ("seed", args.seed)) if v is not None}
    card = training.train_and_ship(args.model, data_dir=args.data_dir,
                                   recipe=replace(training.Recipe(), **changes),
                                   out_dir=args.out or training.ASSETS,
                                   with_baselines=not args.no_baselines)
    print_json({"model": args.model, **card.validation,
                "training_seconds": card.training_seconds})
    return 0


def evaluate_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--model", choices=KINDS, required=True)
    parser.add_argument("--data", type=input_file, default=None,
                        help="a file in the UCI format (default: the validation months of "
                             "the development data)")


def evaluate(args: argparse.Namespace) -> int:
    from core.air_quality import data, training
    from core.air_quality.model import evaluate as score
    from core.air_quality.model import not_computed

    try:  # the input first: a bad file is refused before the model is loaded
        if args.data is None:
            frame = data.split(data.load(args.data_dir))[1]
        else:
            frame = data.parse(args.data)
        if data.with_target(frame).empty:
            raise data.AirQualityFormatError(f"no row has a {data.TARGET} reading to score")
    except (data.AirQualityFormatError, OSError) as err:
        print(f"error: {args.data}: {err}", file=sys.stderr)
        return 2
    try:
        model, card = training.load_shipped(args.model)
    except FileNotFoundError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    result = score(model, frame, card.inputs)
    print_json({"model": args.model, **result}, not_computed(result))
    return 0
