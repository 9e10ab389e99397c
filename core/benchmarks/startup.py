"""Start-up cost: importing the engine and loading every shipped model."""

from __future__ import annotations

import importlib
import json
import pkgutil
import resource
import statistics
import subprocess
import sys
import time

from core.cards import ASSETS

IMPORTS = {  # what a page pays before it can show anything
    "import_core": "import core.catalog, core.datasets",
    "import_keras": "import keras",
}


def bench_args(parser) -> None:
    from core.args import positive_int

    parser.add_argument("--repeats", type=positive_int, default=5,
                        help="runs per figure (median)")


def bench(args) -> int:
    print(json.dumps(measure(args.repeats)))
    return 0


def measure(repeats: int = 5) -> dict:
    result = {f"{name}_s": _median_import(stmt, repeats) for name, stmt in IMPORTS.items()}
    import keras

    loads = {}
    for path in sorted(ASSETS.rglob("*.keras")):
        _register_custom_layers(path.parent.name)
        times = []
        for _ in range(repeats):
            start = time.perf_counter()
            keras.saving.load_model(path, compile=False)
            times.append(time.perf_counter() - start)
        loads[str(path.relative_to(ASSETS))] = round(statistics.median(times), 4)
    result["load_model_s"] = loads
    # ru_maxrss is in KiB on Linux: the peak of this process after importing and loading all
    result["peak_rss_mib"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    result["repeats"] = repeats
    return result


def _median_import(statement: str, repeats: int) -> float:
    """Median wall time of a fresh interpreter running `statement`, less a bare interpreter."""
    def run(code: str) -> float:
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], check=True, capture_output=True)
        return time.perf_counter() - start

    bare = statistics.median(run("pass") for _ in range(repeats))
    return round(statistics.median(run(statement) for _ in range(repeats)) - bare, 4)


def _register_custom_layers(topic: str) -> None:
    """Import the topic's modules: its custom layers register themselves with Keras on import."""
    package = importlib.import_module(f"core.{topic}")
    for module in pkgutil.iter_modules(package.__path__):
        importlib.import_module(f"core.{topic}.{module.name}")
