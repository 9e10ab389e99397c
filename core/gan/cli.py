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

MODELS = ("dcgan", "classifier")


def train_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--model", choices=MODELS, default="dcgan",
                        help="dcgan (default; needs the shipped classifier, which judges it) "
                             "or classifier")
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
        card = training.train_and_ship(data_dir=args.data_dir,
                                       recipe=replace(training.Recipe(), **changes),
                                       folder=args.out or training.ASSETS)
    print_json({"model": args.model, **card.validation,
                "training_seconds": card.training_seconds})
    return 0


def generate_args(parser: argparse.ArgumentParser) -> None:
    from core.gan.sampling import MAX_DIGITS

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

    try:
        gen, card = training.load_shipped()
    except FileNotFoundError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    digits = Sampler(gen).for_seed(args.n, args.seed)
    np.save(prepare(args.out), digits, allow_pickle=False)
    print_json({"out": str(args.out), "shape": list(digits.shape), "dtype": str(digits.dtype),
                "seed": args.seed, "model": training.GENERATOR.name})
    return 0


def evaluate_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--model", choices=("dcgan", "live"), default="dcgan",
                        help="dcgan (default): the shipped generator's figures on the validation "
                             "digits; live: the 2-D GAN's convergence over seeds")
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
        gen, card = training.load_shipped()
        judge, __ = classifier.load_shipped()
    except FileNotFoundError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    figures, reference = training.measure(gen, parts, judge, args.n or training.EVAL_DIGITS,
                                          training.EVAL_SEED if args.seed is None else args.seed)
    print_json({**figures, "meets": metrics.meets(figures), "real_digits": reference,
                "split": parts.sizes()})
    return 0


def bench_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--repeats", type=positive_int, default=20, help="timings per figure")


def bench(args: argparse.Namespace) -> int:
    """Median milliseconds: 64 digits from the shipped generator, a latent walk, and the live
    2-D GAN's steps and frames."""
    import time

    from core import cards
    from core.gan import live, training
    from core.gan.sampling import Sampler, latents

    start = time.perf_counter()
    gen, __ = training.load_shipped()
    load_ms = (time.perf_counter() - start) * 1000
    sampler = Sampler(gen)
    z64 = latents(64, 0, sampler.latent)
    start = time.perf_counter()
    toy = live.LiveGAN()
    toy.train(1)  # builds and traces the train step
    first_step_ms = (time.perf_counter() - start) * 1000

    def median_ms(work, repeats=args.repeats) -> float:
        return round(cards.latency_ms(work, repeats), 2)

    print_json({
        "load_generator_ms": round(load_ms, 1),
        "digits_64_ms": median_ms(lambda: sampler.digits(z64)),
        "walk_10_ms": median_ms(lambda: sampler.walk(0, 1, 10)),
        "live_first_step_ms": round(first_step_ms, 1),
        "live_100_steps_ms": median_ms(lambda: toy.train(100, every=1000), 5),
        "live_frame_ms": median_ms(toy.snapshot),
        "repeats": args.repeats})
    return 0
