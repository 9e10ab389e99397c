"""Command-line argument types shared by every topic, and the strict-JSON last line.

Each function here is an argparse ``type=``: it returns the parsed value or raises
``argparse.ArgumentTypeError`` with a message for the user, so that a bad argument ends in
one line on stderr and exit code 2, before any model or dataset is loaded.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
from pathlib import Path


def _number(text: str, kind: type) -> int | float:
    try:
        return kind(text)
    except ValueError:
        what = "a whole number" if kind is int else "a number"
        raise argparse.ArgumentTypeError(f"{text!r} is not {what}") from None


def positive_int(text: str) -> int:
    value = _number(text, int)
    if value < 1:
        raise argparse.ArgumentTypeError(f"{value} is not at least 1")
    return value


def non_negative_int(text: str) -> int:
    value = _number(text, int)
    if value < 0:
        raise argparse.ArgumentTypeError(f"{value} is negative")
    return value


def int_between(low: int, high: int):
    """A whole number in [low, high]."""
    def parse(text: str) -> int:
        value = _number(text, int)
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"{value} is not between {low} and {high}")
        return value
    return parse


def finite_float(text: str) -> float:
    value = _number(text, float)
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"{text!r} is not a finite number")
    return value


def positive_float(text: str) -> float:
    value = finite_float(text)
    if value <= 0:
        raise argparse.ArgumentTypeError(f"{value:g} is not above 0")
    return value


def non_negative_float(text: str) -> float:
    value = finite_float(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"{value:g} is negative")
    return value


def layer_weight(text: str) -> tuple[str, float]:
    """``NAME[:WEIGHT]`` -> (name, weight); the weight defaults to 1 and may not be negative."""
    name, colon, weight = text.partition(":")
    if not name:
        raise argparse.ArgumentTypeError(f"{text!r} has no layer name (LAYER or LAYER:WEIGHT)")
    if not colon:
        return name, 1.0
    try:
        return name, non_negative_float(weight)
    except argparse.ArgumentTypeError as err:
        raise argparse.ArgumentTypeError(f"the weight in {text!r}: {err}") from None


def input_file(text: str) -> Path:
    """A file that exists and can be read (a directory is refused)."""
    path = Path(text)
    if path.is_dir():
        raise argparse.ArgumentTypeError(f"{text} is a folder, not a file")
    if not path.is_file():
        raise argparse.ArgumentTypeError(f"{text} does not exist" if not path.exists()
                                         else f"{text} is not a regular file")
    if not os.access(path, os.R_OK):
        raise argparse.ArgumentTypeError(f"{text} cannot be read (permission denied)")
    return path


def existing_dir(text: str) -> Path:
    path = Path(text)
    if not path.is_dir():
        raise argparse.ArgumentTypeError(f"{text} is not a folder" if path.exists()
                                         else f"{text} does not exist")
    return path


def output_file(text: str) -> Path:
    """A file to write: not a folder, and its folder exists or can be created (see `prepare`)."""
    path = Path(text)
    if not path.name or path.is_dir():
        raise argparse.ArgumentTypeError(f"{text} is a folder; give a file name to write")
    _creatable(path.parent, text)
    return path


def output_dir(text: str) -> Path:
    """A folder to write into: it exists, or can be created (see `prepare`)."""
    path = Path(text)
    if path.exists() and not path.is_dir():
        raise argparse.ArgumentTypeError(f"{text} is a file, not a folder")
    _creatable(path, text)
    return path


def _creatable(folder: Path, text: str) -> None:
    """The nearest existing ancestor must be a folder we may write in."""
    ancestor = folder.absolute()
    while not ancestor.exists():
        ancestor = ancestor.parent
    if not ancestor.is_dir():
        raise argparse.ArgumentTypeError(f"cannot create a folder for {text}: {ancestor} "
                                         "is a file")
    if not folder.exists() and not os.access(ancestor, os.W_OK):
        raise argparse.ArgumentTypeError(f"cannot create a folder for {text} in {ancestor} "
                                         "(permission denied)")
    if folder.exists() and not os.access(folder, os.W_OK):
        raise argparse.ArgumentTypeError(f"cannot write into {folder} (permission denied)")


def prepare(path: Path, *, is_dir: bool = False) -> Path:
    """Create the folder of an `output_file` (or the `output_dir` itself) just before writing."""
    (path if is_dir else path.parent).mkdir(parents=True, exist_ok=True)
    return path


def print_json(result: dict, why: dict[str, str] | None = None) -> None:
    """Print `result` as one line of strict JSON. A number that could not be computed (NaN,
    infinite) becomes null, and a line on stderr (and "not_computed" in the JSON) says why."""
    why = why or {}
    missing: dict[str, str] = {}

    def clean(value, key: str):
        name = key.rsplit(".", 1)[-1]
        if (isinstance(value, float) and not math.isfinite(value)) or (
                value is None and name in why):
            missing[key] = why.get(name, "the result is not a finite number")
            return None
        if isinstance(value, dict):
            return {k: clean(v, f"{key}.{k}" if key else str(k)) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return [clean(v, f"{key}[{i}]") for i, v in enumerate(value)]
        return value

    cleaned = clean(result, "")
    for key, reason in missing.items():
        print(f"note: {key} cannot be computed: {reason}", file=sys.stderr)
    if missing:
        cleaned["not_computed"] = missing
    print(json.dumps(cleaned, allow_nan=False))
