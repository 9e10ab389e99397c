"""`python -m core`: fetch data, train, evaluate, dream and benchmark from the command line.

Each topic keeps its commands in a light `core/<topic>/cli.py` module (heavy imports happen
inside its functions, so `--help` stays fast). A module may define any of:
``train_args(parser)`` + ``train(args)``, ``evaluate_args`` + ``evaluate``,
``bench_args`` + ``bench``, ``draw_args`` + ``draw``; a topic's own top-level command (see
`COMMANDS`) has ``<command>_args`` + ``<command>``.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import os
import sys

from core import keras_import
from core.args import existing_dir

TOPICS = {  # subcommand target -> module
    "air-quality": "core.air_quality.cli",
    "babi": "core.babi.cli",
    "autoencoder": "core.autoencoder.cli",
    "sequence-autoencoder": "core.sequence_autoencoder.cli",
    "gan": "core.gan.cli",
    "features": "core.features.cli",
    "dream": "core.dream.cli",
    "style": "core.style.cli",
    "initializers": "core.customizing.cli",
    "backends": "core.backends.cli",
    "startup": "core.benchmarks.startup",
    "classroom": "core.benchmarks.classroom",
    "browser": "core.benchmarks.browser",
    "squeezenet": "core.dream.convert",
}
VERBS = {
    "train": "train a model and write it, with its metrics card, into assets/",
    "evaluate": "evaluate a shipped model on a data file; the last stdout line is JSON",
    "generate": "draw new samples from a shipped generative model into a file; prints JSON",
    "bench": "measure speed and memory; prints JSON",
    "convert": "convert pretrained weights into a Keras 3 file in assets/",
    "draw": "draw the pictures a page ships (generated, not downloaded) into assets/",
}
COMMANDS = {  # a topic's own top-level command -> (topic, help)
    "dream": ("dream", "Deep Dream an image file into a PNG"),
    "stylize": ("style", "redraw a photo in the style of another image, into a PNG"),
}


class _Parser(argparse.ArgumentParser):
    """A bad argument ends in one line on stderr (not the whole usage) and exit code 2."""

    def error(self, message: str):
        self.exit(2, f"{self.prog}: error: {message} (see --help)\n")


def _data_dir_flag(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--data-dir", type=existing_dir, help="folder laid out like ../shared/data "
                        "(default: $LAB_DATA_DIR, then the cache, then a download)")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m core", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)

    fetch = sub.add_parser("fetch", help="download and cache datasets and weights ahead of a class")
    fetch.add_argument("name", help="a resource name, or 'all'")
    fetch.set_defaults(func=_fetch)

    from core.concepts.cli import concepts

    sub.add_parser("concepts", help="print the chapter's map of terms as one JSON line (English "
                   "and Japanese)").set_defaults(func=concepts)

    modules = {t: importlib.import_module(m) for t, m in TOPICS.items() if _exists(m)}
    for verb, help_text in VERBS.items():
        verb_parser = sub.add_parser(verb, help=help_text)
        targets = verb_parser.add_subparsers(dest="target", required=True)
        for topic, module in modules.items():
            if hasattr(module, verb):
                p = targets.add_parser(topic, help=(module.__doc__ or "").split("\n")[0])
                _data_dir_flag(p)
                getattr(module, f"{verb}_args", lambda _: None)(p)
                p.set_defaults(func=getattr(module, verb))
    for command, (topic, help_text) in COMMANDS.items():
        module = modules.get(topic)
        if module is not None and hasattr(module, command):
            p = sub.add_parser(command, help=help_text)
            _data_dir_flag(p)
            getattr(module, f"{command}_args")(p)
            p.set_defaults(func=getattr(module, command))
    return parser


def _exists(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except ModuleNotFoundError:  # its package is not there at all
        return False


def _fetch(args: argparse.Namespace) -> int:
    from core import datasets

    names = list(datasets.RESOURCES) if args.name == "all" else [args.name]
    if args.name != "all" and args.name not in datasets.RESOURCES:
        print(f"unknown resource {args.name!r}; known: all, {', '.join(datasets.RESOURCES)}",
              file=sys.stderr)
        return 2
    failed = 0
    for name in names:
        try:
            path = datasets.locate(name, progress=_print_progress(name))
            print(f"{name}: {path}")
        except datasets.DataNotFound as err:
            failed += 1
            print(f"{name}: {err}", file=sys.stderr)
    return 1 if failed else 0


def _print_progress(name: str):
    def report(done: int, total: int | None) -> None:
        if total:
            print(f"\r{name}: {done / 1e6:.1f} of {total / 1e6:.1f} MB", end="", file=sys.stderr)
    return report


def main(argv: list[str] | None = None) -> int:
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # keep TensorFlow's start-up chatter quiet
    args = build_parser().parse_args(argv)
    if not getattr(args, "as_served", False):  # (a bench that times what a student waits for)
        keras_import.use_whole_machine()  # a command, unlike a class, has the machine to itself
    from core import datasets

    try:
        return args.func(args) or 0
    except datasets.DataNotFound as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
