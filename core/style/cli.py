"""Style transfer from the command line: redraw a photo in a style image's style, benchmark
the compiled step, and draw the style images that ship in assets/style."""

from __future__ import annotations

import argparse
import sys

from core.args import (
    input_file,
    int_between,
    non_negative_float,
    output_dir,
    output_file,
    positive_float,
    prepare,
    print_json,
)

MODELS = ("squeezenet", "vgg19")


def stylize_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("content", type=input_file, help="the photo (any format Pillow reads)")
    parser.add_argument("style", type=input_file,
                        help="the style image, e.g. assets/style/swirls.png")
    parser.add_argument("output", type=output_file,
                        help="the PNG to write (the photo's size; its folder is created)")
    parser.add_argument("--model", choices=MODELS, default="squeezenet")
    parser.add_argument("--recipe", choices=("lab", "book"), default="lab",
                        help="lab: relative losses and Adam; book: the book's losses, weights "
                             "and 10 plain gradient steps (the options below then change it)")
    parser.add_argument("--steps", type=int_between(1, 2000))
    parser.add_argument("--size", type=int_between(32, 1024), default=256,
                        help="working size: longest side in pixels (32 to 1024)")
    parser.add_argument("--content-weight", type=non_negative_float)
    parser.add_argument("--style-weight", type=non_negative_float)
    parser.add_argument("--tv-weight", type=non_negative_float,
                        help="smoothness: the total-variation loss's weight")
    parser.add_argument("--optimizer", choices=("adam", "gd"),
                        help="adam, or gd: plain gradient descent (the book's)")
    parser.add_argument("--learning-rate", type=positive_float,
                        help="grey levels per step for Adam; the book's 0.001 times the "
                             "gradient for plain gradient descent")
    parser.add_argument("--content-layer", metavar="LAYER")
    parser.add_argument("--style-layers", nargs="+", metavar="LAYER")


def stylize(args: argparse.Namespace) -> int:
    from dataclasses import replace

    from PIL import Image

    from core import datasets
    from core.images import ImageError, open_image
    from core.style import model, view

    backbone = model.BACKBONES[args.model]
    settings = (view.book_settings(args.model) if args.recipe == "book"
                else view.lab_settings(args.model))
    overrides = {k: v for k, v in (
        ("steps", args.steps), ("content_weight", args.content_weight),
        ("style_weight", args.style_weight), ("tv_weight", args.tv_weight),
        ("learning_rate", args.learning_rate), ("optimizer", args.optimizer),
        ("content_layer", args.content_layer))
        if v is not None}
    if args.style_layers:
        overrides["style_layers"] = dict.fromkeys(args.style_layers, 1.0)
    settings = replace(settings, **overrides)
    unknown = ({settings.content_layer} | set(settings.style_layers)) - set(backbone.layers)
    if unknown:
        return _refuse(f"unknown layers for {args.model}: {', '.join(sorted(unknown))}; "
                       f"choose from {', '.join(backbone.layers)}")
    if not (settings.content_weight or settings.style_weight or settings.tv_weight):
        return _refuse("every weight is 0, so there is nothing to optimise")
    images = []
    for path in (args.content, args.style):
        try:
            images.append(open_image(path.read_bytes()))
        except (OSError, ImageError) as err:
            return _refuse(f"{path}: {err}")
    weights = model.shipped_weights(args.model) or datasets.locate(backbone.resource,
                                                                   args.data_dir)
    result = view.stylize(*images, args.model, weights, settings, side=args.size)
    out = result.image
    if out.size != images[0].size:
        out = out.resize(images[0].size, Image.LANCZOS)
    out.save(prepare(args.output), format="PNG")
    first, last = result.history[0], result.history[-1]
    print_json({"output": str(args.output), "model": args.model, "recipe": args.recipe,
                "size": list(out.size), "working_size": list(result.image.size),
                "steps": settings.steps, "optimizer": settings.optimizer,
                "learning_rate": settings.learning_rate, "content_layer": settings.content_layer,
                "style_layers": list(settings.style_layers),
                "weights": {"content": settings.content_weight, "style": settings.style_weight,
                            "smoothness": settings.tv_weight},
                "losses_first": _terms(first), "losses_last": _terms(last),
                "mean_change_grey_levels": round(result.change, 3),
                "seconds": round(result.seconds, 3)})
    return 0


def _refuse(message: str) -> int:
    print(f"error: {message}", file=sys.stderr)
    return 2


def _terms(parts) -> dict[str, float]:
    from core.style.engine import TERMS

    return {term: float(value) for term, value in zip(TERMS, parts, strict=True)}


def bench_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--sizes", type=int_between(32, 1024), nargs="+", default=[256, 512],
                        help="working sizes to time (longest side, pixels)")
    parser.add_argument("--repeats", type=int_between(1, 50), default=3,
                        help="timed results per size (median), after one that traces")
    parser.set_defaults(as_served=True)  # timed as the app serves it (core/keras_import.py)


def bench(args: argparse.Namespace) -> int:
    import statistics

    from PIL import Image

    from core import keras_import
    from core.style import model, pictures, view

    keras_import.wait()
    weights = model.shipped_weights("squeezenet")
    photo = Image.open(view.SAMPLE_PHOTO).convert("RGB")
    style = Image.open(pictures.path_of("swirls")).convert("RGB")
    settings = view.lab_settings("squeezenet")
    figures = {}
    for side in args.sizes:
        # The sample photo (451 × 300) scaled so that its longest side is the working size.
        content = photo.resize((side, round(side * photo.height / photo.width)), Image.LANCZOS)
        # The first result traces the compiled step: it is timed apart, not in the medians.
        runs = [_timed(content, style, weights, settings, side) for __ in range(args.repeats + 1)]
        figures[f"{side}px"] = {
            "working_size": runs[0][2],
            "first_result_s": round(runs[0][0], 3),
            "median_result_s": round(statistics.median(r[0] for r in runs[1:]), 3),
            "median_step_ms": round(1000 * statistics.median(r[1] for r in runs[1:]), 2)}
    print_json({"model": "squeezenet", "photo": view.SAMPLE_PHOTO.name, "style": "swirls.png",
                "steps": settings.steps, "optimizer": settings.optimizer,
                "content_layer": settings.content_layer,
                "style_layers": list(settings.style_layers), "repeats": args.repeats,
                "threads_per_op": 1, **figures})
    return 0


def _timed(content, style, weights, settings, side: int) -> tuple[float, float, list[int]]:
    """(seconds for the result, median seconds between two steps, working size)."""
    import statistics
    import time

    from core.style import view

    marks: list[float] = []
    result = view.stylize(content, style, "squeezenet", weights, settings, side=side,
                          progress=lambda *step: marks.append(time.perf_counter()))
    steps = [b - a for a, b in zip(marks, marks[1:], strict=False)]
    return result.seconds, statistics.median(steps), list(result.image.size)


def draw_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", type=output_dir, default=None,
                        help="folder for the images and their card (default: assets/style)")


def draw(args: argparse.Namespace) -> int:
    from core.style import pictures

    card = pictures.write_all(prepare(args.out, is_dir=True) if args.out else pictures.FOLDER)
    print_json({"folder": str(card["folder"]),
                "images": {name: entry["sha256"] for name, entry in card["images"].items()}})
    return 0
