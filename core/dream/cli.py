"""Deep Dream an image file into a PNG, and benchmark the compiled engine against eager."""

from __future__ import annotations

import argparse
import sys
import time

from core.args import (
    input_file,
    int_between,
    layer_weight,
    non_negative_float,
    non_negative_int,
    output_file,
    positive_float,
    positive_int,
    prepare,
    print_json,
)

MODELS = ("squeezenet", "inception", "vgg16")
PRESETS = ("subtle", "classic", "wild")


def dream_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("input", type=input_file, help="an image file (any format Pillow reads)")
    parser.add_argument("output", type=output_file,
                        help="the PNG to write (same size as the input; its folder is created)")
    parser.add_argument("--model", choices=MODELS, default="squeezenet")
    parser.add_argument("--preset", choices=PRESETS, default="classic",
                        help="starting point for the settings below")
    parser.add_argument("--layers", nargs="+", metavar="LAYER[:WEIGHT]", type=layer_weight,
                        help="layers to amplify, e.g. fire5_concat:1 fire7_concat:2")
    parser.add_argument("--octaves", type=positive_int)
    parser.add_argument("--steps", type=positive_int, help="gradient steps per octave")
    parser.add_argument("--step-size", type=positive_float)
    parser.add_argument("--max-loss", type=non_negative_float,
                        help="stop each octave once the loss passes this (0: never)")
    parser.add_argument("--seed", type=non_negative_int, default=0)
    parser.add_argument("--size", type=int_between(32, 1024), default=512,
                        help="working size: longest side in pixels (32 to 1024)")


def dream(args: argparse.Namespace) -> int:
    from core import datasets
    from core.dream import engine, model
    from core.images import ImageError, open_image

    backbone = model.BACKBONES[args.model]
    overrides = {k: v for k, v in (("octaves", args.octaves), ("steps", args.steps),
                                   ("step_size", args.step_size)) if v is not None}
    if args.max_loss is not None:
        overrides["max_loss"] = args.max_loss or None
    if args.layers:
        overrides["layers"] = dict(args.layers)
        unknown = set(overrides["layers"]) - set(backbone.layers)
        if unknown:
            print(f"error: unknown layers for {args.model}: {', '.join(sorted(unknown))}; "
                  f"choose from {', '.join(backbone.layers)}", file=sys.stderr)
            return 2
        if not any(overrides["layers"].values()):
            print("error: every layer weight is 0, so there is nothing to amplify",
                  file=sys.stderr)
            return 2
    try:
        photo = open_image(args.input.read_bytes())
    except (OSError, ImageError) as err:
        print(f"error: {args.input}: {err}", file=sys.stderr)
        return 2
    weights = model.shipped_weights(args.model) or datasets.locate(backbone.resource,
                                                                   args.data_dir)
    settings = engine.settings_for(args.model, args.preset, seed=args.seed, **overrides)
    start = time.perf_counter()
    result = engine.dream_photo(photo, args.model, weights, settings, working_side=args.size)
    seconds = time.perf_counter() - start
    result.save(prepare(args.output), format="PNG")
    print_json({"output": str(args.output), "model": args.model, "size": list(result.size),
                "layers": settings.layers, "octaves": settings.octaves,
                "steps": settings.steps, "max_loss": settings.max_loss,
                "seconds": round(seconds, 3)})
    return 0


def bench_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--repeats", type=positive_int, default=3,
                        help="runs of each loop (median)")
    parser.add_argument("--size", type=int_between(32, 1024), default=512)


def bench(args: argparse.Namespace) -> int:
    import statistics

    from core.dream import engine, model, pictures

    weights = model.shipped_weights("squeezenet")
    photo = pictures.generated_picture(args.size)
    # No loss clipping, so that every run takes exactly 3 × 20 steps.
    settings = engine.settings_for("squeezenet", "classic", octaves=3, steps=20, max_loss=None)
    timings = {}
    for name, compiled in (("compiled", True), ("eager", False)):
        # The first run traces the graph; it is timed separately, not in the median.
        runs = []
        for _ in range(args.repeats + 1):
            start = time.perf_counter()
            engine.dream_photo(photo, "squeezenet", weights, settings, working_side=args.size,
                               compiled=compiled)
            runs.append(time.perf_counter() - start)
        timings[name] = {"first_s": round(runs[0], 3),
                         "median_s": round(statistics.median(runs[1:]), 3)}
    print_json({"image": f"{args.size}px", "octaves": 3, "steps": 20, "model": "squeezenet",
                **timings, "speedup": round(timings["eager"]["median_s"]
                                            / timings["compiled"]["median_s"], 2)})
    return 0
