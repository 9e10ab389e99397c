"""GANs: train the DCGAN and its digit classifier, generate digits, evaluate and benchmark."""

from __future__ import annotations

import argparse
import sys

from core.args import (
    int_between,
    non_negative_int,
    output_dir,
    output_file,
    positive_int,
    prepare,
    print_json,
)

GENERATORS = ("dcgan", "cgan")
MODELS = (*GENERATORS, "classifier")


def train_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--model", choices=MODELS, default="dcgan",
                        help="dcgan (default), cgan (the conditional GAN: pick the digit) or "
                             "classifier (the judge: train it first, the GANs' cards need it)")
    parser.add_argument("--epochs", type=positive_int, default=None,
                        help="default: the shipped recipe")
    parser.add_argument("--seed", type=non_negative_int, default=None,
                        help="default: the shipped seed")
    parser.add_argument("--out", type=output_dir, default=None,
                        help="folder for the generator, its story and card (default: assets/gan)")


def train(args: argparse.Namespace) -> int:
    from dataclasses import replace

    from core.gan import classifier, training

    changes = {k: v for k, v in (("epochs", args.epochs), ("seed", args.seed)) if v is not None}
    if args.model == "classifier":
        card = classifier.train_and_ship(data_dir=args.data_dir,
                                         recipe=replace(classifier.Recipe(), **changes))
    else:
        if args.out is not None:
            prepare(args.out, is_dir=True)
        card = training.train_and_ship(args.model, data_dir=args.data_dir,
                                       recipe=replace(training.recipe_for(args.model), **changes),
                                       folder=args.out or training.ASSETS)
    print_json({"model": args.model, **card.validation,
                "training_seconds": card.training_seconds})
    return 0


def generate_args(parser: argparse.ArgumentParser) -> None:
    from core.gan.sampling import MAX_DIGITS

    parser.add_argument("--model", choices=GENERATORS, default="dcgan",
                        help="dcgan (default: any digit) or cgan (the conditional GAN)")
    parser.add_argument("--digit", type=int_between(0, 9), default=None,
                        help="cgan only: the digit to draw (default: 0, 1, …, 9, 0, … in turn)")
    parser.add_argument("--n", type=int_between(1, MAX_DIGITS), default=64,
                        help=f"how many digits (1 to {MAX_DIGITS})")
    parser.add_argument("--seed", type=non_negative_int, default=0,
                        help="the latent points' seed: the same seed, the same digits")
    parser.add_argument("--out", type=npy_file, required=True,
                        help="the .npy file to write: (N, 28, 28) uint8, white digit on black")


def npy_file(text: str):
    path = output_file(text)
    if path.suffix != ".npy":
        raise argparse.ArgumentTypeError(f"{text} must end in .npy (numpy's own format)")
    return path


def generate(args: argparse.Namespace) -> int:
    import numpy as np

    from core.gan import training
    from core.gan.sampling import Sampler

    if args.digit is not None and args.model != "cgan":
        print("error: --digit needs --model cgan (the DCGAN cannot be told which digit to draw)",
              file=sys.stderr)
        return 2
    try:
        gen, __ = training.load_shipped(args.model)
    except FileNotFoundError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    digits = Sampler(gen).for_seed(args.n, args.seed, args.digit)
    np.save(prepare(args.out), digits, allow_pickle=False)
    print_json({"out": str(args.out), "shape": list(digits.shape), "dtype": str(digits.dtype),
                "seed": args.seed, "model": args.model, "digit": args.digit})
    return 0


def evaluate_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--model", choices=(*GENERATORS, "live"), default="dcgan",
                        help="dcgan (default) or cgan: a shipped generator's figures against the "
                             "validation digits; live: the 2-D GAN's convergence over seeds")
    parser.add_argument("--n", type=int_between(100, 10_000), default=None,
                        help="generated digits to judge (default: as in the card)")
    parser.add_argument("--seed", type=non_negative_int, default=None,
                        help="their seed (default: as in the card)")
    parser.add_argument("--seeds", type=int_between(1, 100), default=10,
                        help="live: how many seeds per target")


def evaluate(args: argparse.Namespace) -> int:
    if args.model == "live":
        from core.gan import live

        print_json(live.convergence(("ring", "moons"), range(args.seeds)))
        return 0
    from core.gan import classifier, data, metrics, training

    parts = data.load(args.data_dir)  # the data first: without it, nothing to compare with
    try:
        gen, __ = training.load_shipped(args.model)
        judge, __ = classifier.load_shipped()
    except FileNotFoundError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    figures, reference = training.measure(gen, parts, judge, args.n or training.EVAL_DIGITS,
                                          training.EVAL_SEED if args.seed is None else args.seed)
    print_json({"model": args.model, **figures, "meets": metrics.meets(figures),
                "real_digits": reference, "split": parts.sizes()})
    return 0


def bench_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--repeats", type=positive_int, default=20, help="timings per figure")


def bench(args: argparse.Namespace) -> int:
    """Median milliseconds: 64 digits from each shipped generator, a latent walk, and the live
    2-D GAN's steps and frames."""
    import time

    from core import cards
    from core.gan import live, training
    from core.gan.sampling import Sampler, latents

    def median_ms(work, repeats=args.repeats) -> float:
        return round(cards.latency_ms(work, repeats), 2)

    result = {}
    for kind in GENERATORS:
        start = time.perf_counter()
        try:
            gen, __ = training.load_shipped(kind)
        except FileNotFoundError:
            continue
        result[f"{kind}_load_ms"] = round((time.perf_counter() - start) * 1000, 1)
        sampler, z64 = Sampler(gen), latents(64, 0, gen.inputs[0].shape[-1])
        result[f"{kind}_digits_64_ms"] = median_ms(lambda s=sampler, z=z64: s.digits(z))
        result[f"{kind}_walk_10_ms"] = median_ms(lambda s=sampler: s.walk(0, 1, 10))
    start = time.perf_counter()
    toy = live.LiveGAN()
    toy.train(1)  # builds and traces the train step
    result["live_first_step_ms"] = round((time.perf_counter() - start) * 1000, 1)
    result["live_100_steps_ms"] = median_ms(lambda: toy.train(100, every=1000), 5)
    result["live_frame_ms"] = median_ms(toy.snapshot)
    print_json({**result, "repeats": args.repeats})
    return 0
