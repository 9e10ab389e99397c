"""Recurrent autoencoders: unusual days in the air-quality sensors, and bAbI sentences."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

CODES = (2, 4, 8, 16)


def train_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--model", choices=("days", "sentences"), default="days",
                        help="the day autoencoders (default) or the sentence autoencoder")
    parser.add_argument("--code", type=int, choices=CODES, action="append",
                        help="days: the code size(s) to train (default: all of 2, 4, 8, 16)")
    parser.add_argument("--epochs", type=int, default=None, help="default: the shipped recipe")
    parser.add_argument("--seed", type=int, default=None, help="default: the shipped seed")
    parser.add_argument("--out", type=Path, default=None,
                        help="folder for the models and cards "
                             "(default: assets/sequence_autoencoder)")


def train(args: argparse.Namespace) -> int:
    from dataclasses import replace

    changes = {k: v for k, v in (("epochs", args.epochs), ("seed", args.seed)) if v is not None}
    options = {"out_dir": args.out} if args.out is not None else {}
    if args.model == "sentences":
        from core.sequence_autoencoder import sentences

        card = sentences.train_and_ship(data_dir=args.data_dir,
                                        recipe=replace(sentences.Recipe(), **changes), **options)
        print(json.dumps({"model": "sentences", **card.validation,
                          "training_seconds": card.training_seconds}))
        return 0
    from core.sequence_autoencoder import training

    for code in args.code or CODES:
        card = training.train_and_ship(code, data_dir=args.data_dir,
                                       recipe=replace(training.Recipe(), **changes), **options)
        faults = {score: {k: v for k, v in card.metrics["faults"][score].items()
                          if k != "scores"} for score in ("mse", "peak", "fault")}
        print(json.dumps({"model": "days", "code": code, **card.validation, "faults": faults,
                          "training_seconds": card.training_seconds}))
    return 0


def evaluate_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--data", type=Path, default=None,
                        help="a file in the UCI Air Quality format (default: the validation "
                             "months of the development data)")
    parser.add_argument("--code", type=int, choices=CODES, default=16,
                        help="which shipped day autoencoder (default: 16)")
    parser.add_argument("--refresh", action="store_true",
                        help="recompute what the shipped model's card derives from the model "
                             "and the development data (fault figures, per-day fault scores, "
                             "the unusual days and their notes) and rewrite it (no retraining)")


def evaluate(args: argparse.Namespace) -> int:
    from core.air_quality import data
    from core.sequence_autoencoder import scoring, training

    try:
        model, card = training.load_shipped(args.code)
    except FileNotFoundError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    if args.refresh:
        card = training.refresh(args.code, data_dir=args.data_dir)
        print(json.dumps({"code": args.code, **{
            score: {k: v for k, v in card.metrics["faults"][score].items() if k != "scores"}
            for score in ("mse", "peak", "fault")}}))
        return 0
    try:
        result = training.score_file(model, card, args.data, args.data_dir)
    except (data.AirQualityFormatError, OSError) as err:
        print(f"error: {args.data or 'the development data'}: {err}", file=sys.stderr)
        return 2
    for day in result["worst_days"]:  # the notes in words (English: the CLI's language)
        day["notes"] = [scoring.note_text(note) for note in day["notes"]]
    print(json.dumps(result, allow_nan=False))
    return 0


def bench_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--repeats", type=int, default=20, help="timings per measurement")


def bench(args: argparse.Namespace) -> int:
    """Median milliseconds of what the page does: load, rebuild days, a sentence's round trip."""
    import time

    import numpy as np

    from core import cards
    from core.sequence_autoencoder import scoring, sentences, training, windows

    def median_ms(work) -> float:  # the first, untimed call traces the model
        return round(cards.latency_ms(work, args.repeats), 2)

    start = time.perf_counter()
    model, card = training.load_shipped(16)
    load_ms = (time.perf_counter() - start) * 1000
    stats = windows.Stats.from_json(card.stats)
    one = np.tile(stats.mean, (1, windows.HOURS, 1))
    year = np.tile(stats.mean, (len(card.days), windows.HOURS, 1))
    s_model, vocab, _ = sentences.load_shipped()
    said = sentences.language()
    print(json.dumps({
        "load_day_model_ms": round(load_ms, 1),
        "rebuild_one_day_ms": median_ms(lambda: scoring.rebuild(model, one)),
        f"rebuild_{len(year)}_days_ms": median_ms(lambda: scoring.rebuild(model, year)),
        "sentence_round_trip_ms": median_ms(
            lambda: sentences.trip(s_model, vocab, "mary moved to the bathroom")),
        f"encode_{len(said)}_sentences_ms": median_ms(
            lambda: sentences.codes(s_model, vocab, said)),
        "repeats": args.repeats}))
    return 0
