"""The kernel_initializer experiment, timed (no model is shipped for this topic)."""

from __future__ import annotations

import argparse
import time

from core.args import positive_int, print_json


def bench_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--activation", choices=("relu", "tanh"), default="relu")
    parser.add_argument("--depth", type=positive_int, default=5, help="hidden layers (default 5)")
    parser.add_argument("--steps", type=positive_int, default=300,
                        help="SGD steps per initializer")
    parser.add_argument("--all", action="store_true",
                        help="every initializer, not only the page's default selection")
    parser.add_argument("--synthetic", action="store_true",
                        help="use the synthetic stand-in digits instead of MNIST")


def bench(args: argparse.Namespace) -> int:
    from core.customizing import initializers as ini

    started = time.perf_counter()
    if args.synthetic:
        x, y = ini.synthetic_digits()
    else:
        x, y = ini.load_digits(args.data_dir)
    loaded = time.perf_counter() - started
    choices = list(ini.CHOICES) if args.all else list(ini.DEFAULT_CHOICES)
    settings = ini.Settings(activation=args.activation, depth=args.depth, steps=args.steps)
    result = ini.run_experiment(x, y, choices, settings)
    report = {
        "data": "synthetic" if args.synthetic else "mnist",
        "examples": len(x), "data_seconds": round(loaded, 2),
        "experiment_seconds": round(time.perf_counter() - started - loaded, 2),
        "settings": vars(settings),
        "initializers": result.summary.round(4).to_dict(orient="records"),
    }
    # A diverged run's loss and accuracy are NaN: null in the JSON, with a note.
    print_json(report, {key: "the run diverged" for key in ("first_loss", "final_loss",
                                                              "val_accuracy")})
    return 0
