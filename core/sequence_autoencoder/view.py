"""What the Sequence autoencoders page draws: the calendar, a day's curves, the code sizes, the
fault scores, the shipped models, as tables and Altair charts (no Streamlit here)."""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd

from core.sequence_autoencoder.sentences import SentenceCard
from core.sequence_autoencoder.training import DaysCard
from core.sequence_autoencoder.windows import CHANNELS, HOURS, VALIDATION_START, Stats


def calendar(days: list[dict]) -> pd.DataFrame:
    """One row per day of a card's (or an upload's) `days`: date, week, weekday, split."""
    frame = pd.DataFrame(days)
    dates = pd.to_datetime(frame["date"])
    frame["week"] = (dates - pd.to_timedelta(dates.dt.dayofweek, unit="D")).dt.strftime(
        "%Y-%m-%d")
    frame["weekday"] = dates.dt.day_name().str[:3]
    frame["split"] = np.where(dates >= VALIDATION_START, "validation", "training")
    frame["missing %"] = (100 * frame.get("missing", 0)).round(1)
    return frame


def curves(x_day: np.ndarray, rebuilt: np.ndarray, stats: Stats) -> pd.DataFrame:
    """Long table of one day: hour, channel, actual (raw units, NaN where missing), rebuilt
    (the model's normalized output mapped back to raw units)."""
    raw = rebuilt * stats.std + stats.mean
    hours = np.repeat(np.arange(HOURS), len(CHANNELS))
    channels = np.tile(np.array(CHANNELS), HOURS)
    actual = pd.DataFrame({"hour": hours, "channel": channels, "series": "actual",
                           "value": x_day.reshape(-1)})
    model = pd.DataFrame({"hour": hours, "channel": channels, "series": "rebuilt",
                          "value": raw.reshape(-1)})
    return pd.concat([actual, model], ignore_index=True)


def code_sizes(cards: dict[int, DaysCard]) -> pd.DataFrame:
    """Validation mse by code size, with the mean-profile baseline."""
    return pd.DataFrame([{"code size": code, "validation mse": card.validation["mse"],
                          "baseline mse": card.validation["baseline_mse"]}
                         for code, card in sorted(cards.items())])


def shipped_table(day_cards: dict[int, DaysCard], sentence_card: SentenceCard) -> pd.DataFrame:
    """One row per shipped model: how well, how big, how long it trained, how to rebuild it."""
    rows = [{"model": f"days, code {c}",
             "validation": f"mse {k.validation['mse']:.3f} (baseline "
                           f"{k.validation['baseline_mse']:.3f})",
             "parameters": k.parameters, "training s": k.training_seconds,
             "command": k.command} for c, k in sorted(day_cards.items())]
    v = sentence_card.validation
    rows.append({"model": "sentences", "validation": f"{v['exact']:.0%} of {v['sentences']} "
                 "held-out sentences exact", "parameters": sentence_card.parameters,
                 "training s": sentence_card.training_seconds,
                 "command": sentence_card.command})
    return pd.DataFrame(rows)


def day_table(dates: pd.DatetimeIndex, scores: np.ndarray, missing: np.ndarray) -> list[dict]:
    """The `days` rows of an upload, in the cards' layout."""
    return [{"date": d.date().isoformat(), "mse": round(float(s), 4),
             "missing": round(float(m), 3)} for d, s, m in zip(dates, scores, missing,
                                                              strict=True)]


def share_below(value: float, population) -> float:
    """Share (%) of the population below `value`."""
    population = np.asarray(population, "float64")
    return float(100 * np.mean(population < value)) if len(population) else 0.0


# --- charts ---------------------------------------------------------------------------------------

def calendar_chart(calendar_frame: pd.DataFrame) -> alt.Chart:
    """One square per day (`calendar`'s frame), coloured by its error; a click selects its
    date in the selection named "day"."""
    pick = alt.selection_point(name="day", fields=["date"], on="click")
    return alt.Chart(calendar_frame).mark_rect(stroke="white").encode(
        x=alt.X("week:O", title=None, axis=alt.Axis(labelAngle=-90, labelExpr=
                "slice(datum.value, 5)")),
        y=alt.Y("weekday:N", sort=["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"], title=None),
        color=alt.Color("mse:Q", scale=alt.Scale(type="log", scheme="orangered"), title="error"),
        opacity=alt.condition(alt.datum.split == "validation", alt.value(1.0), alt.value(0.55)),
        tooltip=["date", "split", alt.Tooltip("mse:Q", format=".3f", title="error"),
                 "missing %"],
    ).add_params(pick).properties(height=190)


def curves_chart(frame: pd.DataFrame) -> alt.FacetChart:
    """A day's actual and rebuilt curves (`curves`' frame), one small panel per reading."""
    return alt.Chart(frame).mark_line(point=alt.OverlayMarkDef(size=12)).encode(
        x=alt.X("hour:Q", scale=alt.Scale(domain=[0, 23])),
        y=alt.Y("value:Q", title=None, scale=alt.Scale(zero=False)),
        color=alt.Color("series:N", legend=alt.Legend(orient="top", title=None)),
        strokeDash="series:N",
        tooltip=["hour", "series", alt.Tooltip("value:Q", format=".1f")],
    ).properties(width=150, height=110).facet(
        facet=alt.Facet("channel:N", title=None, sort=list(CHANNELS)), columns=4,
    ).resolve_scale(y="independent")


def code_sizes_chart(sizes: pd.DataFrame) -> alt.LayerChart:
    """Validation error by code size (`code_sizes`' frame), the baseline as a dashed red line."""
    top = 1.1 * float(sizes[["validation mse", "baseline mse"]].max().max())
    bars = alt.Chart(sizes).mark_bar().encode(
        x=alt.X("code size:O"),
        y=alt.Y("validation mse:Q", title="validation error (mse)",
                scale=alt.Scale(domain=[0, top])),
        tooltip=["code size", "validation mse"])
    baseline = alt.Chart(sizes.head(1)).mark_rule(color="red", strokeDash=[6, 4], size=2).encode(
        y="baseline mse:Q")
    return bars + baseline


def score_strip_chart(result: dict, labels: dict[str, str], name: str) -> alt.LayerChart:
    """One row of ticks per group of days' scores (`result["scores"]`, log scale), the
    detection threshold as a dashed line."""
    strip = pd.DataFrame([{"days": labels[group], "score": value}
                          for group, values in result["scores"].items() for value in values])
    ticks = alt.Chart(strip).mark_tick(thickness=2, size=18, opacity=0.5).encode(
        x=alt.X("score:Q", scale=alt.Scale(type="log"), title=f"{name} (log scale)",
                axis=alt.Axis(grid=False)),
        y=alt.Y("days:N", title=None, sort=list(labels.values()), axis=alt.Axis(labelLimit=220)),
        color=alt.Color("days:N", legend=None), tooltip=[alt.Tooltip("score", format=".3f")])
    rule = alt.Chart(pd.DataFrame({"t": [result["threshold"]]})).mark_rule(
        strokeDash=[6, 4]).encode(x="t:Q")
    return (ticks + rule).properties(height=180)


def day_errors_chart(calendar_frame: pd.DataFrame) -> alt.Chart:
    """An upload's error day by day (`calendar`'s frame), bars coloured on a log scale."""
    return alt.Chart(calendar_frame).mark_bar().encode(
        x=alt.X("date:T", title=None), y=alt.Y("mse:Q", title="error"),
        color=alt.Color("mse:Q", scale=alt.Scale(type="log", scheme="orangered"), legend=None),
        tooltip=["date", alt.Tooltip("mse:Q", format=".3f"), "missing %"])


def worst_days_table(result: dict) -> pd.DataFrame:
    """The evaluate result's worst days, their notes joined into one column."""
    return pd.DataFrame([{**w, "notes": "; ".join(w["notes"])} for w in result["worst_days"]])


def code_chart(code) -> alt.Chart:
    """A sentence's code, one bar per number: blue above zero, red below."""
    frame = pd.DataFrame({"number": range(1, len(code) + 1), "value": code})
    return alt.Chart(frame).mark_bar().encode(
        x=alt.X("number:O", title=f"the code ({len(code)} numbers)"), y="value:Q",
        color=alt.condition(alt.datum.value > 0, alt.value("#4c78a8"), alt.value("#e45756")))


def choices_table(steps) -> pd.DataFrame:
    """The decoder's best words at each position, with their probabilities."""
    return pd.DataFrame([{"position": k + 1, **{f"choice {j + 1}": f"{w} ({p:.0%})"
                                                for j, (w, p) in enumerate(step)}}
                         for k, step in enumerate(steps)])
