"""What the Autoencoders page shows, computed: picks of images, slider bounds, the anomaly
score's summary line, images enlarged for display, and the page's charts (pure Altair: no
Streamlit here). Running the models is `inference`'s job.
"""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd

from core.autoencoder.inference import GROUPS
from core.autoencoder.model import KINDS, code_size
from core.i18n import N_, _

MODEL_NAMES = {"dense": N_("dense, {code}-number code"),
               "conv": N_("convolutional, {code}-number code"),
               "denoise": N_("denoising, {code}-number code"),
               "latent2d": N_("convolutional, {code}-number code")}


def model_name(kind: str) -> str:
    """A shipped model's name in the current language, with its code size."""
    return _(MODEL_NAMES[kind], code=code_size(kind))


def code_sizes() -> list[int]:
    """The shipped models' code sizes, largest first."""
    return sorted({code_size(kind) for kind in KINDS}, reverse=True)


def pick(count: int, total: int, seed: int) -> np.ndarray:
    """`count` distinct indices below `total`, drawn from `seed` (the page's reshuffle)."""
    return np.sort(np.random.default_rng(seed).choice(total, min(count, total), replace=False))


def code_bounds(card_range, frame: pd.DataFrame | None = None) -> list[tuple[float, float]]:
    """Slider bounds for the two code numbers: the card's 1st–99th percentile range, widened
    to every point of the map when there is one (a click on an outlier stays in range)."""
    bounds = [(float(lo), float(hi)) for lo, hi in card_range]
    if frame is not None:
        bounds = [(min(lo, float(frame[z].min())), max(hi, float(frame[z].max())))
                  for (lo, hi), z in zip(bounds, ("z1", "z2"), strict=True)]
    return bounds


def nearest(frame: pd.DataFrame, z) -> int:
    """The `index` of the frame's point closest to the code z: the real image nearest a spot."""
    distances = np.hypot(frame["z1"] - z[0], frame["z2"] - z[1])
    return int(frame["index"].iloc[int(np.argmin(distances))])


def example_of(labels: np.ndarray, label: int, seed: int) -> int:
    """The index of one image of a class, drawn from `seed` (the page's "another pair")."""
    return int(np.random.default_rng(seed).choice(np.flatnonzero(labels == label)))


def errors_frame(groups: dict[str, np.ndarray]) -> pd.DataFrame:
    """Long frame (group, bce) from per-image errors by group (`inference.anomaly_groups`),
    the groups named in the current language, for a distribution chart."""
    return pd.concat([pd.DataFrame({"group": _(GROUPS.get(name, name)),
                                    "bce": np.asarray(errs, float)})
                      for name, errs in groups.items()], ignore_index=True)


def above_the_line(groups: dict[str, np.ndarray], threshold: float) -> str:
    """One markdown line: the share of each group's errors above the threshold (for a single
    image, whether it is)."""
    parts = []
    for name, errors in groups.items():
        above = np.asarray(errors) > threshold
        group = _(GROUPS.get(name, name))
        if above.size == 1:
            parts.append(_("{group}: **above** the line", group=group) if above[0] else
                         _("{group}: **below** the line", group=group))
        else:
            parts.append(_("{group}: **{share:.0%}** above the line", group=group,
                           share=above.mean()))
    return " · ".join(parts)


def zoom(image: np.ndarray, factor: int = 4) -> np.ndarray:
    """A (28, 28[, 1]) float image as a bigger uint8 array for st.image (nearest neighbour)."""
    pixels = np.clip(np.asarray(image).reshape(28, 28), 0, 1)
    return (np.kron(pixels, np.ones((factor, factor))) * 255).astype(np.uint8)


# --- charts ---------------------------------------------------------------------------------------

def latent_map_chart(frame: pd.DataFrame, z, class_names: list[str]) -> alt.Chart:
    """The 2-d codes (`inference.latent_frame`), coloured by class, with a ✚ at the code z. A
    click on a point selects it in the selection named "pick" (its z1, z2)."""
    select = alt.selection_point(name="pick", fields=["z1", "z2"], on="click")
    dots = alt.Chart(frame).mark_circle(size=30, opacity=0.7).encode(
        x=alt.X("z1", title=_("code 1")), y=alt.Y("z2", title=_("code 2")),
        color=alt.Color("class:N", sort=class_names, title=_("class")),
        tooltip=[alt.Tooltip("class:N", title=_("class")),
                 alt.Tooltip("z1", title=_("code 1"), format=".2f"),
                 alt.Tooltip("z2", title=_("code 2"), format=".2f")],
    ).add_params(select)
    here = alt.Chart(pd.DataFrame({"z1": [z[0]], "z2": [z[1]]})).mark_point(
        shape="cross", size=400, filled=True, color="black").encode(x="z1", y="z2")
    return (dots + here).properties(height=420)


def anomaly_chart(groups: dict[str, np.ndarray], threshold: float) -> alt.Chart:
    """One row of ticks per group of errors (log scale), a dashed rule at the threshold."""
    frame = errors_frame(groups)
    base = alt.Chart(frame).encode(
        x=alt.X("bce:Q", title=_("reconstruction error (BCE, log scale)"),
                scale=alt.Scale(type="log")),
        y=alt.Y("group:N", title=None, sort=list(dict.fromkeys(frame["group"]))))
    ticks = base.mark_tick(thickness=2, size=18, opacity=0.5).encode(
        color=alt.Color("group:N", legend=None),
        tooltip=[alt.Tooltip("group:N", title=_("images")),
                 alt.Tooltip("bce:Q", title=_("error (BCE)"), format=".3f")])
    rule = alt.Chart({"values": [{"t": threshold}]}).mark_rule(strokeDash=[6, 4]).encode(
        x="t:Q")
    return (ticks + rule).properties(height=40 * len(groups))
