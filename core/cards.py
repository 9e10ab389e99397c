"""Metrics cards: the JSON file beside every shipped model that says how it was made.

A card is a `Card` (or a topic's subclass that names its own facts as typed fields). It records
the one command that rebuilds the model, the sha256 of the data it learned from, the measured
metrics, and `training`: the configuration that was actually used, written from the training
function's own arguments (`asdict(recipe)`), never restated by hand. `load_shipped` is the one way
to load a shipped model with its card; `latency_ms` the one timer; `percentile_of` reads the
percentile tables that cards keep for the pages.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import shlex
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

ASSETS = Path(__file__).resolve().parent.parent / "assets"


@dataclass(frozen=True)
class Card:
    command: str  # the one command that rebuilds the model
    data_sha256: dict[str, str]  # data file -> its sha256
    metrics: dict  # split ("validation", "train", …) -> figures
    date: str
    keras: str  # the Keras version that wrote the model
    training: dict = field(default_factory=dict)  # the configuration actually used
    training_seconds: float | None = None
    parameters: int | None = None
    latency_ms: float | None = None  # median time of one answer, as the page asks for it
    details: dict = field(default_factory=dict)  # whatever else the card file holds

    @property
    def validation(self) -> dict:
        return self.metrics["validation"]

    @classmethod
    def from_json(cls, raw: dict) -> Card:
        """A card from its JSON object; keys that are not fields of `cls` go to `details`."""
        names = {f.name for f in dataclasses.fields(cls)} - {"details"}
        missing = {f.name for f in dataclasses.fields(Card)[:5]} - set(raw)
        if missing:
            raise ValueError(f"not a metrics card: no {', '.join(sorted(missing))}")
        return cls(**{k: v for k, v in raw.items() if k in names},
                   details={k: v for k, v in raw.items() if k not in names})

    def to_json(self) -> dict:
        """The card's JSON object: one flat object, as the files hold it (fields left unset,
        None or empty, are left out)."""
        own = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)
               if f.name != "details" and getattr(self, f.name) not in (None, {}, [], "")}
        return {**own, **self.details}


C = TypeVar("C", bound=Card)


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


def write_card(path: Path, cls: type[C] = Card, **fields) -> C:
    """Write a card of type `cls` from its fields (dated, with the Keras version); return it."""
    import keras  # only here: reading cards must stay cheap

    names = {f.name for f in dataclasses.fields(cls)} - {"details"}
    card = cls(**{k: v for k, v in fields.items() if k in names},
               date=dt.date.today().isoformat(), keras=keras.__version__,
               details={k: v for k, v in fields.items() if k not in names})
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(card.to_json(), indent=2) + "\n")
    return card


def read_card(path: Path, cls: type[C] = Card) -> C:
    return cls.from_json(json.loads(Path(path).read_text()))


def load_shipped(model_path: Path, cls: type[C] = Card, *, rebuild: str):
    """(model, card) of a shipped model: the `.keras` file loaded in safe mode (never any code
    from the file), and the card beside it. FileNotFoundError names the missing file and the
    `rebuild` command. The topic's custom layers must be registered (import its `model`)."""
    import keras

    card_path = Path(model_path).with_suffix(".json")
    for path in (Path(model_path), card_path):
        if not path.exists():
            raise FileNotFoundError(f"{path} is missing: rebuild it with `{rebuild}`")
    model = keras.saving.load_model(model_path, compile=False, safe_mode=True)
    return model, read_card(card_path, cls)


def latency_ms(call: Callable[[], object], repeats: int = 20) -> float:
    """Median milliseconds of `call()`, after one untimed warm-up call (tracing, caches)."""
    call()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return 1000 * statistics.median(times)


def percentile_of(value: float, percentiles: Sequence[float]) -> float:
    """Share (0–100) of the measured values below `value`, from a card's table of the 0th,
    1st, …, 100th percentiles (any evenly spaced table works)."""
    import numpy as np

    table = np.asarray(percentiles, dtype="float64")
    return float(np.interp(value, table, np.linspace(0, 100, len(table))))
