"""Metrics cards: the JSON file beside every shipped model that says how it was made."""

from __future__ import annotations

import datetime as dt
import json
import shlex
import sys
from pathlib import Path

ASSETS = Path(__file__).resolve().parent.parent / "assets"


def asset_path(*parts: str) -> Path:
    return ASSETS.joinpath(*parts)


def training_command(argv: list[str] | None = None) -> str:
    """The command line that is running now, as `python -m core ...` (data folders left out)."""
    argv = list(sys.argv[1:] if argv is None else argv)
    kept, skip = [], False
    for arg in argv:
        if skip:
            skip = False
        elif arg == "--data-dir":
            skip = True
        elif not arg.startswith("--data-dir="):
            kept.append(arg)
    return "python -m core " + shlex.join(kept)


def write_card(path: Path, *, command: str, data_sha256: dict[str, str],
               metrics: dict, **extra) -> dict:
    """Write a card: the command that made the model, the data's sha256, metrics, date."""
    import keras  # only here: reading cards must stay cheap

    card = {
        "command": command,
        "data_sha256": data_sha256,
        "metrics": metrics,
        "date": dt.date.today().isoformat(),
        "keras": keras.__version__,
        **extra,
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(card, indent=2) + "\n")
    return card


def read_card(path: Path) -> dict:
    return json.loads(Path(path).read_text())
