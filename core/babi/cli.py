"""bAbI question answering: train and evaluate the shipped memory networks (and the book's)."""

from __future__ import annotations

import argparse
import json
import sys

from core.args import input_file, non_negative_int, output_dir, positive_int

TASKS = (1, 2, 3)
KINDS = ("memn2n", "book")


def train_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--task", type=int, choices=TASKS, required=True)
    parser.add_argument("--model", choices=KINDS, default="memn2n",
                        help="the memory network (default) or the book's fixed-window network "
                             "(needs the task's shipped vocabulary)")
    parser.add_argument("--epochs", type=positive_int, default=None,
                        help="default: the shipped recipe")
    parser.add_argument("--seed", type=non_negative_int, default=None,
                        help="default: the shipped seed")
    parser.add_argument("--out", type=output_dir, default=None,
                        help="folder for the model, vocabulary and card (default: assets/babi)")


def train(args: argparse.Namespace) -> int:
    from dataclasses import replace

    from core.babi import training

    if args.model == "book":
        options = {k: v for k, v in (("epochs", args.epochs), ("seed", args.seed)) if v}
        card = training.train_and_ship_book(args.task, data_dir=args.data_dir,
                                            out_dir=args.out, **options)
    else:
        recipe = training.RECIPES[args.task]
        changes = {k: v for k, v in (("epochs", args.epochs), ("seed", args.seed))
                   if v is not None}
        if "epochs" in changes:
            changes["linear_epochs"] = min(recipe.linear_epochs, changes["epochs"] // 3)
        card = training.train_and_ship(args.task, data_dir=args.data_dir,
                                       recipe=replace(recipe, **changes), out_dir=args.out)
    print(json.dumps({"task": args.task, "model": args.model, **card["metrics"]["validation"],
                      "training_seconds": card["training_seconds"]}))
    return 0


def evaluate_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--task", type=int, choices=TASKS, required=True)
    parser.add_argument("--model", choices=KINDS, default="memn2n")
    parser.add_argument("--data", type=input_file, default=None,
                        help="a bAbI-format file (default: the validation stories of the "
                             "development training file)")


def evaluate(args: argparse.Namespace) -> int:
    from core.babi import data, training

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
        if isinstance(err, data.datalayer.DataNotFound):
            raise
        print(f"error: {err}", file=sys.stderr)
        return 2
    print(json.dumps(result))
    return 0
