"""What the page shows, computed: reconstructions, latent codes, interpolations, anomaly scores,
and the page's charts (pure Altair: no Streamlit here).

Everything takes float images (N, 28, 28, 1) in [0, 1] and returns numpy arrays or frames.
"""

from __future__ import annotations

import altair as alt
import keras
import numpy as np
import pandas as pd

from core.autoencoder import metrics
from core.autoencoder.model import SHAPE, parts
from core.autoencoder.training import add_noise


def reconstruct(model: keras.Model, images: np.ndarray,
                clean: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(reconstructions, per-image BCE against `clean`, default the inputs themselves)."""
    images = np.asarray(images, np.float32)
    output = np.asarray(model(images, training=False))
    return output, metrics.per_image_bce(images if clean is None else clean, output)


def pick(count: int, total: int, seed: int) -> np.ndarray:
    """`count` distinct indices below `total`, drawn from `seed` (the page's reshuffle)."""
    return np.sort(np.random.default_rng(seed).choice(total, min(count, total), replace=False))


def noisy(images: np.ndarray, std: float, seed: int = 0) -> np.ndarray:
    return add_noise(np.asarray(images, np.float32), std, seed).astype(np.float32)


def latent_frame(model: keras.Model, images: np.ndarray, labels: np.ndarray,
                 class_names: list[str]) -> pd.DataFrame:
    """The 2-d codes of images, one row each, for a scatter plot."""
    encoder, _ = parts(model)
    codes = np.asarray(encoder(np.asarray(images, np.float32), training=False))
    return pd.DataFrame({"index": np.arange(len(codes)), "z1": codes[:, 0], "z2": codes[:, 1],
                         "class": [class_names[int(y)] for y in labels]})


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


def decode(model: keras.Model, codes) -> np.ndarray:
    """Images (N, 28, 28, 1) decoded from codes (N, code size)."""
    _, decoder = parts(model)
    return np.asarray(decoder(np.asarray(codes, np.float32).reshape(-1, decoder.input_shape[-1]),
                              training=False))


def interpolate(model: keras.Model, a: np.ndarray, b: np.ndarray, steps: int = 8) -> np.ndarray:
    """Decoded images along the straight line between the codes of images a and b."""
    encoder, _ = parts(model)
    za, zb = np.asarray(encoder(np.stack([a, b]).astype(np.float32), training=False))
    t = np.linspace(0, 1, steps)[:, None]
    return decode(model, (1 - t) * za + t * zb)


def random_noise(count: int, seed: int = 0) -> np.ndarray:
    """Uniform noise images: nothing like any training image."""
    return np.random.default_rng(seed).random((count, *SHAPE), np.float32)


def errors_frame(groups: dict[str, np.ndarray]) -> pd.DataFrame:
    """Long frame (group, bce) from per-image errors by group, for a distribution chart."""
    return pd.concat([pd.DataFrame({"group": name, "bce": np.asarray(errs, float)})
                      for name, errs in groups.items()], ignore_index=True)


def above_the_line(groups: dict[str, np.ndarray], threshold: float) -> str:
    """One markdown line: the share of each group's errors above the threshold (for a single
    image, whether it is)."""
    parts = []
    for name, errors in groups.items():
        above = np.asarray(errors) > threshold
        if above.size == 1:
            parts.append(f"{name}: **{'above' if above[0] else 'below'}** the line")
        else:
            parts.append(f"{name}: **{above.mean():.0%}** above the line")
    return " · ".join(parts)


def zoom(image: np.ndarray, factor: int = 4) -> np.ndarray:
    """A (28, 28[, 1]) float image as a bigger uint8 array for st.image (nearest neighbour)."""
    pixels = np.clip(np.asarray(image).reshape(28, 28), 0, 1)
    return (np.kron(pixels, np.ones((factor, factor))) * 255).astype(np.uint8)


# --- charts ---------------------------------------------------------------------------------------

def latent_map_chart(frame: pd.DataFrame, z, class_names: list[str]) -> alt.Chart:
    """The 2-d codes (`latent_frame`), coloured by class, with a ✚ at the code z. A click on a
    point selects it in the selection named "pick" (its z1, z2)."""
    select = alt.selection_point(name="pick", fields=["z1", "z2"], on="click")
    dots = alt.Chart(frame).mark_circle(size=30, opacity=0.7).encode(
        x=alt.X("z1", title="code 1"), y=alt.Y("z2", title="code 2"),
        color=alt.Color("class:N", sort=class_names),
        tooltip=["class", alt.Tooltip("z1", format=".2f"), alt.Tooltip("z2", format=".2f")],
    ).add_params(select)
    here = alt.Chart(pd.DataFrame({"z1": [z[0]], "z2": [z[1]]})).mark_point(
        shape="cross", size=400, filled=True, color="black").encode(x="z1", y="z2")
    return (dots + here).properties(height=420)


def anomaly_chart(groups: dict[str, np.ndarray], threshold: float) -> alt.Chart:
    """One row of ticks per group of errors (log scale), a dashed rule at the threshold."""
    base = alt.Chart(errors_frame(groups)).encode(
        x=alt.X("bce:Q", title="reconstruction error (BCE, log scale)",
                scale=alt.Scale(type="log")),
        y=alt.Y("group:N", title=None, sort=list(groups)))
    ticks = base.mark_tick(thickness=2, size=18, opacity=0.5).encode(
        color=alt.Color("group:N", legend=None), tooltip=[alt.Tooltip("bce", format=".3f")])
    rule = alt.Chart({"values": [{"t": threshold}]}).mark_rule(strokeDash=[6, 4]).encode(
        x="t:Q")
    return (ticks + rule).properties(height=40 * len(groups))
