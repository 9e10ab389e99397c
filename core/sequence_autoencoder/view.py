"""What the Sequence autoencoders page draws: the calendar, a day's curves, the code sizes, the
unusual days, the fault scores, the shipped models, as tables and Altair charts (no Streamlit
here). Column keys stay English; what a student reads is translated where it is built."""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd

from core import i18n
from core.i18n import N_, _
from core.sequence_autoencoder import faults
from core.sequence_autoencoder.scoring import note_text
from core.sequence_autoencoder.sentences import SentenceCard
from core.sequence_autoencoder.training import DaysCard
from core.sequence_autoencoder.windows import CHANNELS, HOURS, VALIDATION_START, Stats

WEEKDAYS = (N_("Mon"), N_("Tue"), N_("Wed"), N_("Thu"), N_("Fri"), N_("Sat"), N_("Sun"))
SPLITS = {"training": N_("training"), "validation": N_("validation")}
SERIES = {"actual": N_("actual"), "rebuilt": N_("rebuilt")}
SCORES = {"fault": N_("fault: a reading too still or sticking out"),
          "peak": N_("peak: the worst one-hour surprise"),
          "mse": N_("mse: the whole day")}
FAULTS = {"stuck": N_("stuck"), "spike": N_("spike")}
GROUPS = {"clean": N_("clean validation days"), "stuck": N_("stuck {low}–{high} h"),
          "spike": N_("spike ±{sd:g} sd"), "spike_x2": N_("spike ±{sd:g} sd")}


def in_validation(date: str) -> bool:
    """Whether a day ("YYYY-MM-DD") falls in the validation months."""
    return pd.Timestamp(date) >= VALIDATION_START


def calendar(days: list[dict]) -> pd.DataFrame:
    """One row per day of a card's (or an upload's) `days`: date, week, weekday, split (its key,
    and its name in the current language)."""
    frame = pd.DataFrame(days)
    dates = pd.to_datetime(frame["date"])
    frame["week"] = (dates - pd.to_timedelta(dates.dt.dayofweek, unit="D")).dt.strftime(
        "%Y-%m-%d")
    frame["weekday"] = [_(WEEKDAYS[d]) for d in dates.dt.dayofweek]
    frame["split"] = np.where(dates >= VALIDATION_START, "validation", "training")
    frame["split name"] = [_(SPLITS[s]) for s in frame["split"]]
    frame["missing %"] = (100 * frame.get("missing", 0)).round(1)
    return frame


def curves(x_day: np.ndarray, rebuilt: np.ndarray, stats: Stats) -> pd.DataFrame:
    """Long table of one day: hour, channel, actual (raw units, NaN where missing), rebuilt
    (the model's normalized output mapped back to raw units); series named for the reader."""
    raw = rebuilt * stats.std + stats.mean
    hours = np.repeat(np.arange(HOURS), len(CHANNELS))
    channels = np.tile(np.array(CHANNELS), HOURS)
    actual = pd.DataFrame({"hour": hours, "channel": channels, "series": _(SERIES["actual"]),
                           "value": x_day.reshape(-1)})
    model = pd.DataFrame({"hour": hours, "channel": channels, "series": _(SERIES["rebuilt"]),
                          "value": raw.reshape(-1)})
    return pd.concat([actual, model], ignore_index=True)


def code_sizes(cards: dict[int, DaysCard]) -> pd.DataFrame:
    """Validation mse by code size, with the mean-profile baseline."""
    return pd.DataFrame([{"code size": code, "validation mse": card.validation["mse"],
                          "baseline mse": card.validation["baseline_mse"]}
                         for code, card in sorted(cards.items())])


SHIPPED_COLUMNS = {"model": N_("model"), "validation": N_("validation"),
                   "parameters": N_("parameters"), "training s": N_("training s"),
                   "command": N_("command")}


def shipped_table(day_cards: dict[int, DaysCard], sentence_card: SentenceCard) -> pd.DataFrame:
    """One row per shipped model: how well, how big, how long it trained, how to rebuild it."""
    rows = [{"model": _("days, code {code}", code=c),
             "validation": _("mse {mse:.3f} (baseline {baseline:.3f})",
                             mse=k.validation["mse"], baseline=k.validation["baseline_mse"]),
             "parameters": k.parameters, "training s": k.training_seconds,
             "command": k.command} for c, k in sorted(day_cards.items())]
    v = sentence_card.validation
    rows.append({"model": _("sentences"),
                 "validation": _("{share:.0%} of {n} held-out sentences exact",
                                 share=v["exact"], n=v["sentences"]),
                 "parameters": sentence_card.parameters,
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


def typical_validation_day(days: list[dict]) -> str:
    """The median validation day by error: a quiet day to break."""
    ranked = sorted((d for d in days if in_validation(d["date"])), key=lambda d: d["mse"])
    return ranked[len(ranked) // 2]["date"]


def worst_validation_day(days: list[dict]) -> str:
    return max((d for d in days if in_validation(d["date"])), key=lambda d: d["mse"])["date"]


def sharpest_clean_day(days: list[dict]) -> dict:
    """The fully observed validation day with the largest one-hour surprise (peak)."""
    return max((d for d in days if in_validation(d["date"]) and not d["missing"]),
               key=lambda d: d["peak"])


def outages(days: list[dict]) -> list[str]:
    """Days on which the box sent at most half of its readings."""
    return [d["date"] for d in days if d["missing"] >= 0.5]


UNUSUAL_COLUMNS = {"date": N_("date"), "score": N_("error"),
                   "worst_channel": N_("worst reading"),
                   "what the data shows": N_("what the data shows")}


def unusual_table(unusual_days: list[dict]) -> pd.DataFrame:
    """A card's unusual days, what the data shows about each in the current language."""
    return pd.DataFrame([{"date": d["date"], "score": d["score"],
                          "worst_channel": d["worst_channel"],
                          "what the data shows": i18n.listing(list(map(note_text, d["notes"])))}
                         for d in unusual_days])


WORST_COLUMNS = {"date": N_("date"), "mse": N_("error"), "notes": N_("what the data shows")}


def worst_days_table(result: dict) -> pd.DataFrame:
    """The evaluate result's worst days, their notes joined into one column."""
    return pd.DataFrame([{**w, "notes": i18n.listing(list(map(note_text, w["notes"])))}
                         for w in result["worst_days"]])


def drift_words(outside: dict, top: int = 3) -> str:
    """The readings whose daily means most often left the training range
    (`windows.outside_training_range`), as words: "T below … on 12 days; …"."""
    counts = [(n, channel, side) for side in ("below", "above")
              for channel, n in outside[side].items() if n]
    words = [_("{channel} below the training range on {n} days", channel=channel, n=n)
             if side == "below" else
             _("{channel} above the training range on {n} days", channel=channel, n=n)
             for n, channel, side in sorted(counts, reverse=True)[:top]]
    return i18n.listing(words)


def group_labels() -> dict[str, str]:
    """The fault-score chart's rows, named in the current language."""
    low, high = faults.STUCK_HOURS
    return {"clean": _(GROUPS["clean"]), "stuck": _(GROUPS["stuck"], low=low, high=high),
            "spike": _(GROUPS["spike"], sd=faults.SPIKE),
            "spike_x2": _(GROUPS["spike_x2"], sd=2 * faults.SPIKE)}


# --- charts ---------------------------------------------------------------------------------------

def calendar_chart(calendar_frame: pd.DataFrame) -> alt.Chart:
    """One square per day (`calendar`'s frame), coloured by its error; a click selects its
    date in the selection named "day"."""
    pick = alt.selection_point(name="day", fields=["date"], on="click")
    return alt.Chart(calendar_frame).mark_rect(stroke="white").encode(
        x=alt.X("week:O", title=None, axis=alt.Axis(labelAngle=-90, labelExpr=
                "slice(datum.value, 5)")),
        y=alt.Y("weekday:N", sort=[_(d) for d in WEEKDAYS], title=None),
        color=alt.Color("mse:Q", scale=alt.Scale(type="log", scheme="orangered"),
                        title=_("error")),
        opacity=alt.condition(alt.datum.split == "validation", alt.value(1.0), alt.value(0.55)),
        tooltip=[alt.Tooltip("date:N", title=_("date")),
                 alt.Tooltip("split name:N", title=_("split")),
                 alt.Tooltip("mse:Q", format=".3f", title=_("error")),
                 alt.Tooltip("missing %:Q", title=_("missing %"))],
    ).add_params(pick).properties(height=190)


def curves_chart(frame: pd.DataFrame) -> alt.FacetChart:
    """A day's actual and rebuilt curves (`curves`' frame), one small panel per reading."""
    return alt.Chart(frame).mark_line(point=alt.OverlayMarkDef(size=12)).encode(
        x=alt.X("hour:Q", title=_("hour"), scale=alt.Scale(domain=[0, 23])),
        y=alt.Y("value:Q", title=None, scale=alt.Scale(zero=False)),
        color=alt.Color("series:N", legend=alt.Legend(orient="top", title=None)),
        strokeDash="series:N",
        tooltip=[alt.Tooltip("hour:Q", title=_("hour")),
                 alt.Tooltip("series:N", title=_("curve")),
                 alt.Tooltip("value:Q", title=_("value"), format=".1f")],
    ).properties(width=150, height=110).facet(
        facet=alt.Facet("channel:N", title=None, sort=list(CHANNELS)), columns=4,
    ).resolve_scale(y="independent")


def code_sizes_chart(sizes: pd.DataFrame) -> alt.LayerChart:
    """Validation error by code size (`code_sizes`' frame), the baseline as a dashed red line."""
    top = 1.1 * float(sizes[["validation mse", "baseline mse"]].max().max())
    bars = alt.Chart(sizes).mark_bar().encode(
        x=alt.X("code size:O", title=_("code size")),
        y=alt.Y("validation mse:Q", title=_("validation error (mse)"),
                scale=alt.Scale(domain=[0, top])),
        tooltip=[alt.Tooltip("code size:O", title=_("code size")),
                 alt.Tooltip("validation mse:Q", title=_("validation error (mse)"),
                             format=".3f")])
    baseline = alt.Chart(sizes.head(1)).mark_rule(color="red", strokeDash=[6, 4], size=2).encode(
        y="baseline mse:Q",
        tooltip=[alt.Tooltip("baseline mse:Q", title=_("baseline (average day)"),
                             format=".3f")])
    return bars + baseline


def score_strip_chart(result: dict, labels: dict[str, str], name: str) -> alt.LayerChart:
    """One row of ticks per group of days' scores (`result["scores"]`, log scale), the
    detection threshold as a dashed line."""
    strip = pd.DataFrame([{"days": labels[group], "score": value}
                          for group, values in result["scores"].items() for value in values])
    ticks = alt.Chart(strip).mark_tick(thickness=2, size=18, opacity=0.5).encode(
        x=alt.X("score:Q", scale=alt.Scale(type="log"),
                title=_("{score} (log scale)", score=name), axis=alt.Axis(grid=False)),
        y=alt.Y("days:N", title=None, sort=list(labels.values()), axis=alt.Axis(labelLimit=220)),
        color=alt.Color("days:N", legend=None),
        tooltip=[alt.Tooltip("days:N", title=_("days")),
                 alt.Tooltip("score:Q", title=_("score"), format=".3f")])
    rule = alt.Chart(pd.DataFrame({"t": [result["threshold"]]})).mark_rule(
        strokeDash=[6, 4]).encode(x="t:Q")
    return (ticks + rule).properties(height=180)


def day_errors_chart(calendar_frame: pd.DataFrame) -> alt.Chart:
    """An upload's error day by day (`calendar`'s frame), bars coloured on a log scale."""
    return alt.Chart(calendar_frame).mark_bar().encode(
        x=alt.X("date:T", title=None), y=alt.Y("mse:Q", title=_("error")),
        color=alt.Color("mse:Q", scale=alt.Scale(type="log", scheme="orangered"), legend=None),
        tooltip=[alt.Tooltip("date:T", title=_("date")),
                 alt.Tooltip("mse:Q", title=_("error"), format=".3f"),
                 alt.Tooltip("missing %:Q", title=_("missing %"))])


def code_chart(code) -> alt.Chart:
    """A sentence's code, one bar per number: blue above zero, red below."""
    frame = pd.DataFrame({"number": range(1, len(code) + 1), "value": code})
    return alt.Chart(frame).mark_bar().encode(
        x=alt.X("number:O", title=_("the code ({n} numbers)", n=len(code))),
        y=alt.Y("value:Q", title=_("value")),
        color=alt.condition(alt.datum.value > 0, alt.value("#4c78a8"), alt.value("#e45756")),
        tooltip=[alt.Tooltip("number:O", title=_("number")),
                 alt.Tooltip("value:Q", title=_("value"), format=".3f")])


def choices_table(steps) -> pd.DataFrame:
    """The decoder's best words at each position, with their probabilities ("(end)": the
    sentence is over)."""
    end = _("(end)")
    return pd.DataFrame([{"position": k + 1,
                          **{_("choice {n}", n=j + 1): f"{w or end} ({p:.0%})"
                             for j, (w, p) in enumerate(step)}}
                         for k, step in enumerate(steps)])
