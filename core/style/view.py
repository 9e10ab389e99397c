"""What the style-transfer page shows, computed: the working images, the style transfer as work
for the shared queue, a run's result (image, losses by step, Gram matrices), the book's recipe
beside the lab's, the charts, and the source of the losses and the step as they run."""

from __future__ import annotations

import functools
import hashlib
import inspect
import io
import textwrap
import threading
import time
from collections.abc import Callable, Mapping, MutableMapping
from dataclasses import dataclass, fields, replace
from pathlib import Path

import altair as alt
import numpy as np
import pandas as pd
from PIL import Image

from core.cards import ASSETS
from core.i18n import N_, _
from core.images import fit_within
from core.style import book, engine, losses, model

SIDES = (64, 128, 256, 384, 512)  # working sizes the page offers (longest side, pixels)
DEFAULT_SIDE, MAX_SIDE = 256, 1024
SAMPLE_PHOTO = ASSETS / "dream" / "chelsea.jpg"  # CC0; see chelsea.txt beside it
SAMPLE_CREDIT = N_("Chelsea the cat · Stefan van der Walt, CC0")
RECENT = 3  # results kept per session
TERM_TITLES = {"content": N_("content"), "style": N_("style"), "smoothness": N_("smoothness"),
               "total": N_("total")}

# The lab's defaults for what the page lets a student change (engine.Settings holds them).
DEFAULTS = {f.name: f.default for f in fields(engine.Settings) if f.name in (
    "content_weight", "style_weight", "tv_weight", "steps", "learning_rate")}

# The three runs of "the book's recipe beside the lab's", in the order the page shows them.
RECIPES = {"book": N_("The book's recipe"), "book_adam": N_("The book's loss, with Adam"),
           "lab": N_("The lab's recipe")}


def lab_settings(backbone: str, **overrides) -> engine.Settings:
    """The lab's recipe on a backbone: its default layers and weights, Adam."""
    chosen = model.BACKBONES[backbone]
    layers = overrides.pop("style_layers", chosen.style_layers)
    content_layer = overrides.pop("content_layer", chosen.content_layer)
    return engine.Settings(content_layer, dict.fromkeys(layers, 1.0), **overrides)


def book_settings(backbone: str) -> engine.Settings:
    """The book's recipe: its loss and weights, 10 plain gradient-descent steps at 0.001."""
    chosen = model.BACKBONES[backbone]
    return engine.Settings(chosen.book_content_layer,
                           dict.fromkeys(chosen.book_style_layers, 1.0),
                           book.CONTENT_WEIGHT, book.STYLE_WEIGHT, book.TV_WEIGHT,
                           steps=book.STEPS, optimizer="gd", learning_rate=book.LEARNING_RATE,
                           objective="book")


def recipe_settings(backbone: str) -> dict[str, engine.Settings]:
    """The comparison's three runs: the book's recipe, the book's loss with the lab's optimiser
    (the optimiser alone changed), the lab's recipe."""
    lab = lab_settings(backbone)
    return {"book": book_settings(backbone),
            "book_adam": replace(book_settings(backbone), optimizer="adam", steps=lab.steps,
                                 learning_rate=lab.learning_rate),
            "lab": lab}


def working_images(content: Image.Image, style: Image.Image, side: int, min_side: int,
                   squeeze_style: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """uint8 RGB arrays to work on: the photo within `side` (never below `min_side`), the style
    image within the same side, or, as the book does, squeezed to the photo's very size."""
    side = max(min_side, min(int(side), MAX_SIDE))
    photo = _at_least(fit_within(content.convert("RGB"), side), min_side)
    if squeeze_style:
        look = style.convert("RGB").resize(photo.size, Image.LANCZOS)
    else:
        look = _at_least(fit_within(style.convert("RGB"), side), min_side)
    return np.asarray(photo), np.asarray(look)


def _at_least(img: Image.Image, side: int) -> Image.Image:
    if min(img.size) >= side:
        return img
    return img.resize((max(side, img.width), max(side, img.height)), Image.LANCZOS)


@functools.lru_cache(maxsize=8)
def stylizer(backbone: str, weights_path: Path, content_layer: str,
             style_layers: tuple[str, ...], objective: str, optimizer: str,
             compiled: bool = True) -> engine.Stylizer:
    """A Stylizer per (backbone, layers, loss, optimiser), kept so its compiled step is reused."""
    net = model.load(backbone, Path(weights_path))
    extractor = model.feature_extractor(net, content_layer, style_layers)
    return engine.Stylizer(extractor, len(style_layers), objective, optimizer, compiled=compiled)


def _stylizer_for(backbone: str, weights_path: Path, settings: engine.Settings,
                  compiled: bool = True) -> engine.Stylizer:
    return stylizer(backbone, Path(weights_path), settings.content_layer,
                    tuple(settings.style_layers), settings.objective, settings.optimizer,
                    compiled)


@dataclass(frozen=True)
class GramPair:
    """One layer's Gram matrices, the style image's and the result's, in units of the style's
    99th percentile (float16 keeps a session small), and their relative squared error."""

    style: np.ndarray
    result: np.ndarray
    error: float

    @classmethod
    def of(cls, style: np.ndarray, result: np.ndarray) -> GramPair:
        style, result = np.asarray(style, np.float64), np.asarray(result, np.float64)
        error = float(np.sum((result - style) ** 2) / (np.sum(style**2) or 1.0))
        top = float(np.percentile(np.abs(style), 99)) or 1.0
        return cls(np.float16(style / top), np.float16(np.clip(result / top, -1e4, 1e4)), error)


@dataclass(frozen=True)
class Result:
    """One finished style transfer, small enough to keep in a session."""

    png: bytes  # at the working size
    history: np.ndarray  # (steps + 1, 3): the weighted losses before each step, then at the end
    grams: dict[str, GramPair]  # style layer -> its Gram matrices
    seconds: float
    change: float  # mean |change| of a pixel from the photo, grey levels, before rounding

    @property
    def image(self) -> Image.Image:
        return Image.open(io.BytesIO(self.png))


def stylize(content: Image.Image, style: Image.Image, backbone: str, weights_path: Path,
            settings: engine.Settings, *, side: int = DEFAULT_SIDE,
            progress: engine.Progress | None = None, cancel: threading.Event | None = None,
            compiled: bool = True, grams: bool = True) -> Result:
    """Run one style transfer at a working size; the result stays at that size (with its Gram
    matrices unless `grams` is False: a megabyte or two that only the main result shows)."""
    if not settings.style_layers:
        raise ValueError("Choose at least one style layer.")
    photo, look = working_images(content, style, side, model.BACKBONES[backbone].min_side,
                                 squeeze_style=settings.objective == "book")
    run = _stylizer_for(backbone, weights_path, settings, compiled)
    start = time.perf_counter()
    image, history = engine.run(run, photo, look, settings, progress=progress, cancel=cancel)
    seconds = time.perf_counter() - start
    out = engine.to_uint8(image[None])
    return Result(png_bytes(Image.fromarray(out)), history,
                  gram_pairs(run, look, out, settings) if grams else {}, seconds,
                  float(np.abs(image - photo).mean()))


def gram_pairs(run: engine.Stylizer, style: np.ndarray, result: np.ndarray,
               settings: engine.Settings) -> dict[str, GramPair]:
    """Each style layer's Gram matrix (the lab's: averaged over positions) of the style image
    and of the result, and how far apart they are."""
    styles = run.features(np.float32(style)[None])[1]
    results = run.features(np.float32(result)[None])[1]
    return {name: GramPair.of(np.asarray(losses.gram_matrix(s)),
                              np.asarray(losses.gram_matrix(r)))
            for name, s, r in zip(settings.style_layers, styles, results, strict=True)}


def style_work(content: Image.Image, style: Image.Image, backbone: str, weights_path: Path,
               settings: engine.Settings, side: int) -> Callable:
    """The style transfer as work for the server's shared queue (`core.jobs`). Its preview is
    data the page draws in the student's language: the step, a picture every fifth step and
    the losses so far."""
    def work(job) -> Result:
        return stylize(content, style, backbone, weights_path, settings, side=side,
                       progress=_reporter(job, settings.steps), cancel=job.cancel_event)
    return work


def compare_work(content: Image.Image, style: Image.Image, backbone: str, weights_path: Path,
                 side: int) -> Callable:
    """The book's recipe, the book's loss with Adam and the lab's recipe, one after the other
    on the same images, as one piece of work for the shared queue."""
    runs = recipe_settings(backbone)

    def work(job) -> dict[str, Result]:
        total, done, results = sum(s.steps for s in runs.values()), 0, {}
        for key, settings in runs.items():
            results[key] = stylize(content, style, backbone, weights_path, settings, side=side,
                                   progress=_reporter(job, total, done, key),
                                   cancel=job.cancel_event, grams=False)
            done += settings.steps
        return results
    return work


def _reporter(job, total: int, done: int = 0, recipe: str | None = None) -> engine.Progress:
    history: list[np.ndarray] = []
    latest: dict[str, object] = {"image": None}

    def progress(step: int, parts: np.ndarray, preview: np.ndarray | None) -> None:
        history.append(parts)
        if preview is not None:
            latest["image"] = preview
        job.report((done + step + 1) / total, "",
                   preview={"step": step + 1, "recipe": recipe, "image": latest["image"],
                            "history": np.stack(history)})
    return progress


def job_id(*parts) -> str:
    """One id per set of inputs (image bytes, backbone, settings, size): equal ids, equal work."""
    def plain(part):
        if isinstance(part, bytes):
            return hashlib.sha256(part).hexdigest()
        if isinstance(part, engine.Settings):
            return repr(sorted(vars(part).items()))
        return repr(part)
    return hashlib.sha256("|".join(plain(p) for p in parts).encode()).hexdigest()


def png_bytes(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def remember(recent: MutableMapping[str, object], key: str, result: object,
             keep: int = RECENT) -> None:
    """Keep a result under its job id; the oldest ones go beyond `keep`."""
    recent[key] = result
    while len(recent) > keep:
        recent.pop(next(iter(recent)))


def last_dream(recent: Mapping[str, bytes] | None) -> bytes | None:
    """The newest PNG among the Deep Dream page's recent dreams (kept oldest first), if any."""
    return next(reversed(recent.values()), None) if recent else None


# --- What "style" means to the network ---------------------------------------------------------

# A dark-to-light colour ramp (dark violet, red, orange, pale yellow) for Gram matrices.
RAMP = np.array([[10, 7, 32], [87, 16, 110], [188, 55, 84], [249, 142, 9], [252, 255, 164]],
                np.float64)


def gram_pictures(pair: GramPair, side: int = 256) -> tuple[Image.Image, Image.Image]:
    """Both Gram matrices as pictures on one colour scale, their channels in one order (the
    style's most active features first)."""
    order = np.argsort(-np.diag(pair.style.astype(np.float64)))
    pictures = []
    for gram in (pair.style, pair.result):
        gram = np.asarray(gram, np.float64)[order][:, order]
        scaled = np.sqrt(np.clip(gram, 0, 1))  # the square root lets weak links show
        t = scaled * (len(RAMP) - 1)
        low = np.floor(t).astype(int).clip(0, len(RAMP) - 2)
        rgb = RAMP[low] + (RAMP[low + 1] - RAMP[low]) * (t - low)[..., None]
        picture = Image.fromarray(rgb.round().astype(np.uint8))
        pictures.append(picture.resize((side, side), Image.NEAREST))
    return pictures[0], pictures[1]


# --- Charts ------------------------------------------------------------------------------------

def loss_frame(history: np.ndarray) -> pd.DataFrame:
    """The weighted losses by step, long form (step, term, loss), with their total."""
    frame = pd.DataFrame(np.asarray(history, np.float64), columns=list(engine.TERMS))
    frame["total"] = frame.sum(axis=1)
    frame.index.name = "step"
    long = frame.reset_index().melt("step", var_name="term", value_name="loss")
    # A log scale has no room for 0 (a term weighted 0, the content loss at the photo itself),
    # nor for rounding errors a million times below the total.
    return long[long["loss"] > 1e-6 * frame["total"].max()]


def loss_chart(history: np.ndarray, height: int = 260) -> alt.Chart:
    """Each weighted loss and their total by step, on a log scale."""
    frame = loss_frame(history)
    frame["term"] = frame["term"].map(lambda t: _(TERM_TITLES[t]))
    order = [_(TERM_TITLES[t]) for t in ("total", *engine.TERMS)]
    return alt.Chart(frame).mark_line().encode(
        x=alt.X("step:Q", title=_("step")),
        y=alt.Y("loss:Q", scale=alt.Scale(type="log"), title=_("weighted loss (log scale)")),
        color=alt.Color("term:N", sort=order, scale=alt.Scale(domain=order),
                        title=_("loss")),
        tooltip=[alt.Tooltip("step:Q", title=_("step")), alt.Tooltip("term:N", title=_("loss")),
                 alt.Tooltip("loss:Q", title=_("value"), format=".4g")],
    ).properties(height=height)


def comparison_frame(results: Mapping[str, Result]) -> pd.DataFrame:
    """Each recipe's style loss by step as a percentage of where it started: the recipes'
    losses have different units, their fall in percent does not."""
    rows = []
    for key, result in results.items():
        style = np.asarray(result.history, np.float64)[:, engine.TERMS.index("style")]
        for step, value in enumerate(style):
            rows.append({"recipe": key, "step": step, "percent": 100 * value / style[0]})
    return pd.DataFrame(rows)


def comparison_chart(results: Mapping[str, Result]) -> alt.Chart:
    frame = comparison_frame(results)
    frame["recipe"] = frame["recipe"].map(lambda k: _(RECIPES[k]))
    order = [_(RECIPES[k]) for k in results]
    return alt.Chart(frame).mark_line(point=alt.OverlayMarkDef(size=12)).encode(
        x=alt.X("step:Q", title=_("step")),
        y=alt.Y("percent:Q", title=_("style loss, % of its start"),
                scale=alt.Scale(domain=[0, 105])),
        color=alt.Color("recipe:N", sort=order, title=_("recipe")),
        tooltip=[alt.Tooltip("recipe:N", title=_("recipe")),
                 alt.Tooltip("step:Q", title=_("step")),
                 alt.Tooltip("percent:Q", title="%", format=".1f")],
    ).properties(height=260)


def style_fall(result: Result) -> float:
    """How much the style loss fell over the run, in percent of its start."""
    style = np.asarray(result.history, np.float64)[:, engine.TERMS.index("style")]
    return float(100 * (1 - style[-1] / style[0])) if style[0] else 0.0


# --- The code, as it runs ----------------------------------------------------------------------

def _source(*functions) -> str:
    return "\n\n".join(textwrap.dedent(inspect.getsource(f)) for f in functions)


def loss_code() -> str:
    """The lab's losses and the Gram matrix, exactly as they run."""
    return _source(losses.gram_matrix, losses.content_loss, losses.style_loss,
                   losses.total_variation_loss)


def step_code() -> str:
    """One step: the gradient of the loss with respect to the pixels, then Adam."""
    return _source(engine.Stylizer._step, engine.adam)


def book_code() -> str:
    """The book's loss and its plain gradient step, as the lab runs them."""
    return _source(book.gram_matrix, book.objective, engine.gradient_descent)
