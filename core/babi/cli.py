"""bAbI question answering: train and evaluate the shipped memory networks (and the book's)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from core.args import input_file, non_negative_int, output_dir, positive_int

TASKS = tuple(range(1, 21))
KINDS = ("memn2n", "book", "answer-only")  # training.KINDS, here without importing Keras


def train_args(parser: argparse.ArgumentParser) -> None:
    which = parser.add_mutually_exclusive_group(required=True)
    which.add_argument("--task", type=int, choices=TASKS)
    which.add_argument("--examples", action="store_true",
                       help="rewrite assets/babi/examples.json: a few validation questions per "
                            "task, so that the page has real stories offline")
    parser.add_argument("--model", choices=KINDS, default="memn2n",
                        help="the memory network (default), the book's fixed-window network "
                             "(needs the task's shipped vocabulary), or for a task whose "
                             "network learns where to look from bAbI's supporting facts, the "
                             "same recipe on the answers alone")
    parser.add_argument("--epochs", type=positive_int, default=None,
                        help="default: the shipped recipe")
    parser.add_argument("--seed", type=non_negative_int, default=None,
                        help="default: the shipped seed")
    parser.add_argument("--out", type=output_dir, default=None,
                        help="folder for the model, vocabulary and card (default: assets/babi)")


def train(args: argparse.Namespace) -> int:
    from dataclasses import replace

    from core.babi import training

    if args.examples:
        from core.babi import examples

        print(json.dumps({"examples": examples.write(args.data_dir)}))
        return 0
    changes = {k: v for k, v in (("epochs", args.epochs), ("seed", args.seed)) if v is not None}
    if args.model == "book":
        from core.babi import book

        card = training.train_and_ship_book(args.task, data_dir=args.data_dir,
                                            recipe=replace(book.Recipe(), **changes),
                                            out_dir=args.out)
    else:
        recipe = training.RECIPES[args.task]
        if args.model == "answer-only":
            if not recipe.supervise:
                print(f"error: task {args.task}'s network learns from the answers alone "
                      f"already; --model answer-only is for tasks "
                      f"{', '.join(map(str, training.supervised_tasks()))}", file=sys.stderr)
                return 2
            recipe = training.answer_only(recipe)
        if "epochs" in changes:
            changes["linear_epochs"] = min(recipe.linear_epochs, changes["epochs"] // 3)
        card = training.train_and_ship(args.task, data_dir=args.data_dir,
                                       recipe=replace(recipe, **changes), out_dir=args.out,
                                       kind=args.model)
    print(json.dumps({"task": args.task, "model": args.model, **card.validation,
                      "training_seconds": card.training_seconds}))
    return 0


def evaluate_args(parser: argparse.ArgumentParser) -> None:
    which = parser.add_mutually_exclusive_group(required=True)
    which.add_argument("--task", type=int, choices=TASKS)
    which.add_argument("--all", action="store_true",
                       help="every task: the qaN_*_test.txt files of the folder given by "
                            "--data-dir, or without it each task's validation stories")
    parser.add_argument("--model", choices=KINDS, default="memn2n")
    parser.add_argument("--data", type=input_file, default=None,
                        help="a bAbI-format file (default: the validation stories of the "
                             "development training file)")


def evaluate(args: argparse.Namespace) -> int:
    from core.babi import data, training

    if args.all:
        return _evaluate_all(args)
    try:
        if args.data is None:
            result = training.validation_accuracy(args.task, args.model, args.data_dir)
        elif not data.parse_file(args.data):
            print(f"error: {args.data}: no questions to score (a question line is "
                  "`N question<TAB>answer<TAB>supporting ids`)", file=sys.stderr)
            return 2
        else:
            result = training.evaluate_file(args.task, args.data, args.model)
    except data.BabiFormatError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    except FileNotFoundError as err:
        if isinstance(err, data.datasets.DataNotFound):
            raise
        print(f"error: {err}", file=sys.stderr)
        return 2
    print(json.dumps(result))
    return 0


def _evaluate_all(args: argparse.Namespace) -> int:
    """One JSON line: accuracy per task, the mean error and the tasks failed (> 5% error)."""
    from core.babi import data, training

    try:
        if args.data_dir is None:
            results = [training.validation_accuracy(task) for task in TASKS]
        else:
            files = training.test_files(Path(args.data_dir))
            results = [training.evaluate_file(task, path) for task, path in files.items()]
    except (data.BabiFormatError, FileNotFoundError) as err:
        if isinstance(err, data.datasets.DataNotFound):
            raise
        print(f"error: {err}", file=sys.stderr)
        return 2
    print(json.dumps(training.summary(results)))
    return 0


def bench_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--repeats", type=int, default=30, help="answers per task (median)")


def bench(args: argparse.Namespace) -> int:
    """Median time of one answer, as the page computes it, per shipped task model; the
    questions are the shipped examples, so no data is needed."""
    import functools

    from core import cards
    from core.babi import answering, examples, training

    report = {}
    for task in TASKS:
        try:
            net, vocab, _ = training.load_shipped(task)
        except FileNotFoundError:
            continue
        example = examples.load(task)[0]
        ask = functools.partial(answering.answer, net, vocab, list(example.story), example.question)
        report[str(task)] = round(cards.latency_ms(ask, max(1, args.repeats)), 2)
    print(json.dumps({"answer_ms_median": report}))
    return 0
