"""What the GAN page shows, computed: digit sheets, the training story, the judge's figures,
the comparison with the autoencoder's decoder, the live 2-D GAN's frames, and every chart
(pure Altair and numpy: no Streamlit here)."""

from __future__ import annotations

import inspect
import math

import altair as alt
import numpy as np
import pandas as pd

from core.gan import live, metrics
from core.gan.model import GAN
from core.i18n import N_, _

GAP = 2  # pixels between digits in a sheet
SEED_LIMIT = 1_000_000
WALK_STEPS = 10
MODEL_NAMES = {"dcgan": N_("DCGAN"), "cgan": N_("conditional GAN")}
FIGURE_NAMES = {  # card figure -> what it is, for a student
    "asked_share": N_("drawn as the digit asked for"),
    "confident_share": N_("recognized with ≥ 90 % confidence"),
    "class_share_min": N_("rarest digit's share"),
    "class_share_max": N_("commonest digit's share"),
    "copy_share": N_("closer to a training digit than 95 % of real digits are"),
}


def average_lag_steps(decay: float) -> int:
    """How many training steps a moving average of the weights with this decay follows behind
    (its time constant, 1 / (1 - decay))."""
    return round(1 / (1 - decay))


def sheet(digits: np.ndarray, columns: int, scale: int = 2) -> np.ndarray:
    """uint8 (N, h, w[, 3]) -> one uint8 image of `columns` per row, separated by a dark gap,
    each pixel enlarged `scale` times (a small digit stays crisp on screen)."""
    digits = np.asarray(digits)
    n, h, w = digits.shape[:3]
    rows = math.ceil(n / columns)
    out = np.full((rows * (h + GAP) - GAP, columns * (w + GAP) - GAP, *digits.shape[3:]), 40,
                  np.uint8)
    for i, digit in enumerate(digits):
        r, c = divmod(i, columns)
        out[r * (h + GAP): r * (h + GAP) + h, c * (w + GAP): c * (w + GAP) + w] = digit
    return out.repeat(scale, 0).repeat(scale, 1)


def train_step_code() -> str:
    """The `train_step` override itself, as the page shows it."""
    return inspect.getsource(GAN.train_step)


# --- the training story -----------------------------------------------------------------------
def history_frame(history: dict) -> pd.DataFrame:
    """Long frame (epoch, series, value) of the card's losses and D's two probabilities."""
    names = {"d_loss": N_("discriminator loss"), "g_loss": N_("generator loss"),
             "d_real": N_("D(real digit)"), "d_fake": N_("D(generated digit)")}
    rows = [{"epoch": i + 1, "series": _(names[key]), "kind": key[2:], "value": value}
            for key in names for i, value in enumerate(history.get(key, []))]
    return pd.DataFrame(rows, columns=["epoch", "series", "kind", "value"])


def history_charts(history: dict) -> tuple[alt.Chart, alt.Chart]:
    """(both losses by epoch, the discriminator's mean verdict on real and generated digits)."""
    frame = history_frame(history)
    losses = alt.Chart(frame[frame.kind == "loss"]).mark_line().encode(
        x=alt.X("epoch:Q", title=_("epoch")), y=alt.Y("value:Q", title=_("loss (cross-entropy)")),
        color=alt.Color("series:N", title=None, legend=alt.Legend(orient="bottom")),
        tooltip=["epoch", "series", alt.Tooltip("value", format=".3f")]
    ).properties(title=_("Both losses by epoch"), height=240)
    probs = alt.Chart(frame[frame.kind != "loss"]).mark_line().encode(
        x=alt.X("epoch:Q", title=_("epoch")),
        y=alt.Y("value:Q", title=_("mean probability 'real'"), scale=alt.Scale(domain=[0, 1])),
        color=alt.Color("series:N", title=None, legend=alt.Legend(orient="bottom")),
        tooltip=["epoch", "series", alt.Tooltip("value", format=".3f")]
    ).properties(title=_("What the discriminator believes"), height=240)
    return losses, probs


# --- the judge ----------------------------------------------------------------------------------
def balance_chart(shares: list[float], real: list[float] | None = None) -> alt.Chart:
    """Each digit's share among the generated digits, against the fair 10 %."""
    rows = [{"digit": str(d), "share": s, "who": _("generated")} for d, s in enumerate(shares)]
    if real is not None:
        rows += [{"digit": str(d), "share": s, "who": _("real (unseen)")}
                 for d, s in enumerate(real)]
    bars = alt.Chart(pd.DataFrame(rows)).mark_bar().encode(
        x=alt.X("digit:N", title=_("digit the classifier sees")),
        xOffset="who:N",
        y=alt.Y("share:Q", title=_("share"), axis=alt.Axis(format="%")),
        color=alt.Color("who:N", title=None, legend=alt.Legend(orient="bottom")),
        tooltip=["digit", "who", alt.Tooltip("share", format=".1%")])
    lo, hi = metrics.TARGETS[1][2], metrics.TARGETS[2][2]
    band = alt.Chart(pd.DataFrame({"lo": [lo], "hi": [hi]})).mark_rect(opacity=0.12).encode(
        y="lo:Q", y2="hi:Q")
    return (band + bars).properties(height=220, title=_("Class balance (band: 5–15 %)"))


def figure_rows(models: dict[str, dict], reference: dict) -> pd.DataFrame:
    """The judge's figures of each generator (name -> figures, the names untranslated),
    beside those of real unseen digits and the issue's targets (✓ met, ✗ missed)."""
    rows = []
    for name, side, bound in metrics.TARGETS:
        row = {_("figure"): _(FIGURE_NAMES[name])}
        for model, figures in models.items():
            mark = "✓" if metrics.meets(figures)[name] else "✗"
            row[_(model)] = f"{figures[name]:.1%} {mark}"
        row[_("real digits")] = f"{reference[name]:.1%}"
        row[_("target")] = ("≥ " if side == "min" else "≤ ") + f"{bound:.0%}"
        rows.append(row)
    asked = {model: f["asked_share"] for model, f in models.items() if "asked_share" in f}
    if asked:
        rows.append({_("figure"): _(FIGURE_NAMES["asked_share"]),
                     **{_(m): f"{asked[m]:.1%}" if m in asked else "–" for m in models},
                     _("real digits"): "", _("target"): ""})
    return pd.DataFrame(rows)


# --- the decoder comparison -------------------------------------------------------------------
def decoder_codes(code_range, n: int, seed: int) -> np.ndarray:
    """n random 2-number codes, uniform over the range the encoder uses (1st–99th percentile)."""
    rng = np.random.default_rng(seed)
    (lo1, hi1), (lo2, hi2) = code_range
    return np.stack([rng.uniform(lo1, hi1, n), rng.uniform(lo2, hi2, n)], 1).astype(np.float32)


def sharpness(digits: np.ndarray) -> float:
    """Share of a digit's ink pixels that are decided (near black or white, not grey): blurry
    averages score low."""
    ink = digits.astype(np.float32) / 255
    strokes = ink[ink > 0.1]
    return float(np.mean(strokes > 0.75)) if strokes.size else 0.0


# --- the live 2-D GAN -------------------------------------------------------------------------
def frame_chart(frame: live.Frame, placed: np.ndarray | None = None) -> alt.LayerChart:
    """The plane: the discriminator's field (purple: 'generated', green: 'real'), the real
    points and the generated points."""
    axis = np.linspace(-live.BOX, live.BOX, live.GRID)
    step = axis[1] - axis[0]
    xx, yy = np.meshgrid(axis, axis)
    field = pd.DataFrame({"x": xx.ravel() - step / 2, "x2": xx.ravel() + step / 2,
                          "y": yy.ravel() - step / 2, "y2": yy.ravel() + step / 2,
                          "p": frame.field.ravel()})
    scale = alt.Scale(domain=[-live.BOX, live.BOX], nice=False)
    heat = alt.Chart(field).mark_rect(opacity=0.55).encode(
        x=alt.X("x:Q", scale=scale, title=None), x2="x2", y=alt.Y("y:Q", scale=scale, title=None),
        y2="y2", color=alt.Color("p:Q", title=_("D: probability 'real'"),
                                 scale=alt.Scale(scheme="purplegreen", domain=[0, 1])))
    points = pd.DataFrame(np.concatenate([frame.real, frame.fake]), columns=["x", "y"])
    points["who"] = [_("real")] * len(frame.real) + [_("generated")] * len(frame.fake)
    dots = alt.Chart(points).mark_circle(size=14, opacity=0.8).encode(
        x=alt.X("x:Q", scale=scale), y=alt.Y("y:Q", scale=scale),
        color=alt.Color("who:N", title=None, legend=alt.Legend(orient="bottom"),
                        scale=alt.Scale(domain=[_("real"), _("generated")],
                                        range=["#1b7837", "#c2188b"])))
    return alt.layer(heat, dots).resolve_scale(color="independent").properties(
        width=380, height=380, title=_("Step {step}", step=frame.step))


def loss_chart(frame: live.Frame, most: int = 400) -> alt.Chart:
    """Both losses by step (every k-th step when there are many)."""
    every = max(1, len(frame.d_loss) // most)
    steps = np.arange(1, len(frame.d_loss) + 1)[::every]
    rows = pd.DataFrame({"step": np.concatenate([steps, steps]),
                         "loss": frame.d_loss[::every] + frame.g_loss[::every],
                         "who": [_("discriminator")] * len(steps) + [_("generator")] * len(steps)})
    return alt.Chart(rows).mark_line().encode(
        x=alt.X("step:Q", title=_("step")), y=alt.Y("loss:Q", title=_("loss")),
        color=alt.Color("who:N", title=None, legend=alt.Legend(orient="bottom"))
    ).properties(height=200, title=_("Both losses"))


def placement_grid(n: int = 25) -> pd.DataFrame:
    """The spots a student can click to place a point."""
    axis = np.round(np.linspace(-1.2, 1.2, n), 3)
    xx, yy = np.meshgrid(axis, axis)
    return pd.DataFrame({"x": xx.ravel(), "y": yy.ravel()})


def placement_chart(points: list[tuple[float, float]]) -> alt.LayerChart:
    """A clickable plane: faint spots to choose from, the placed points on top."""
    scale = alt.Scale(domain=[-live.BOX, live.BOX], nice=False)
    pick = alt.selection_point(name="place", fields=["x", "y"], on="click", nearest=True,
                               clear=False)
    spots = alt.Chart(placement_grid()).mark_point(size=8, opacity=0.25, color="grey").encode(
        x=alt.X("x:Q", scale=scale, title=None), y=alt.Y("y:Q", scale=scale, title=None)
    ).add_params(pick)
    placed = alt.Chart(pd.DataFrame(points or [], columns=["x", "y"])).mark_circle(
        size=120, color="#1b7837").encode(x=alt.X("x:Q", scale=scale), y=alt.Y("y:Q", scale=scale))
    return alt.layer(spots, placed).properties(width=320, height=320)


def clicked_point(state) -> tuple[float, float] | None:
    """The spot a click on `placement_chart` chose, from Streamlit's selection state."""
    try:
        chosen = state["selection"]["place"]
    except (KeyError, TypeError):
        return None
    if not chosen:
        return None
    spot = chosen[0]
    return float(spot["x"]), float(spot["y"])


def live_work(lease: live.Lease, settings: live.Settings, points, steps: int):
    """The queued job: apply the settings, then `steps` steps, reporting a frame as it goes.
    Stopping keeps what the networks learned so far (they live in the student's session). The
    job holds the student's lease, so that nobody else gets these networks while it runs."""
    def work(job):
        gan = lease.gan
        gan.configure(settings, points)

        def report(done: int, frame: live.Frame) -> None:
            # numbers only: this thread cannot translate
            job.report(done / steps, f"{done} / {steps}", preview=frame)

        # job.check stops the run at the next step once the student presses Stop
        return gan.train(steps, every=max(1, min(20, steps // 20)), report=report,
                         check=job.check)
    return work


def problem_messages(settings: live.Settings, points) -> list[str]:
    """What stops a run, in the student's language."""
    return [_(live.PROBLEMS[key], **values) for key, values in live.problems(settings, points)]


def parse_rate(text: str) -> float:
    """A learning rate as typed ('2e-3', '0.002'); NaN for anything that is not a number, so
    that the settings check explains it."""
    try:
        return float(text.strip().replace(",", "."))
    except ValueError:
        return float("nan")
