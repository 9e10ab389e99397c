"""Sequence autoencoders: recurrent encoders and decoders for days of sensor data and sentences."""

import numpy as np
import pandas as pd
import streamlit as st

from core.air_quality import data
from core.sequence_autoencoder import faults, scoring, sentences, training, view, windows
from core.sequence_autoencoder.cli import CODES
from pages.common import locate_or_explain
from pages.shipped import shipped_model
from pages.text import as_text

st.title("Sequence autoencoders: unusual days, and sentences")
st.markdown(
    "An autoencoder's encoder and decoder follow the data: convolutions for images (see "
    "*Autoencoders*), **recurrent networks** for time series and text. Here a bidirectional "
    "**GRU** reads one day of the air-quality box (24 hours × 8 readings: sensors "
    "PT08.S1–S5, temperature T, humidity RH and AH) into a **code** of a few numbers; a "
    "`RepeatVector` hands the code to every hour and a second GRU writes the day back, one "
    "hour at a time, through a `TimeDistributed(Dense)`. Trained on March–October 2004, it "
    "rebuilds ordinary days well, so a day it rebuilds badly is **unusual**. Errors are in "
    "normalized units: squared training standard deviations.")


@shipped_model(show_spinner="Loading the model…")
def day_model(code: int):
    return training.load_shipped(code)


@shipped_model(show_spinner="Loading the sentence model…")
def sentence_model():
    return sentences.load_shipped()


@st.cache_data(max_entries=2, show_spinner="Reading the air-quality file…")
def dev_days(path: str) -> windows.Days:
    return windows.days(data.parse(path))


@st.cache_data(max_entries=8, show_spinner="Rebuilding every day…")
def rebuilt_days(path: str, code: int) -> np.ndarray:
    return scoring.rebuild(day_model(code)[0], dev_days(path).x)


# Model calls are cached: a rerun that changes something else calls no model at all.
@st.cache_data(max_entries=256, show_spinner=False)
def broken_day(path: str, code: int, day: str, kind: str, channel: int, hour: int) -> dict:
    model, card = day_model(code)
    days = dev_days(path)
    i = list(days.dates.strftime("%Y-%m-%d")).index(day)
    return scoring.break_day(model, days.x[i], windows.Stats.from_json(card.stats),
                             np.asarray(card.typical_surprise), training.card_units(card),
                             kind, channel, hour)


@st.cache_data(max_entries=4, show_spinner="Scoring your days…")
def score_upload(content: bytes, code: int):
    """(the evaluate command's answer, each day's row) for an uploaded file."""
    model, card = day_model(code)
    mine = windows.days(data.parse(content))
    per_day = scoring.scores(scoring.day_errors(model, mine.x,
                                                windows.Stats.from_json(card.stats)))
    return (training.score_days(model, card, mine),
            view.day_table(mine.dates, per_day, mine.missing_share()))


models = {}
for code in CODES:
    try:
        models[code] = day_model(code)
    except (FileNotFoundError, ValueError, OSError) as err:
        st.warning(f"The day autoencoder with a {code}-number code is not available: {err}")
day_cards = {code: card for code, (_, card) in models.items()}
main_code = max(models, default=None)

# --- 1. Every day ------------------------------------------------------------------------------
st.header("1 · Every day, coloured by how badly it is rebuilt")
found = locate_or_explain("air-quality", "drawing a day's curves (the scores come with the "
                          "shipped model's card)")
path, days = (str(found) if found is not None else None), None
if path is not None:
    try:
        days = dev_days(path)
    except data.AirQualityFormatError as err:
        st.error(f"The Air Quality file at {path} could not be read: {err}")
if main_code is None:
    st.info("No day autoencoder is shipped here; train them with `python -m core train "
            "sequence-autoencoder`.")
else:
    card = day_cards[main_code]
    stats = windows.Stats.from_json(card.stats)
    cal = view.calendar(card.days)
    dates = list(cal["date"])
    val_days = cal[cal["split"] == "validation"]
    st.session_state.setdefault("sa_day", val_days.loc[val_days["mse"].idxmax(), "date"])

    @st.fragment
    def calendar_and_day() -> None:
        def pick_from_calendar() -> None:
            points = st.session_state["sa_calendar"].get("selection", {}).get("day")
            if points:
                st.session_state["sa_day"] = points[0]["date"]

        st.altair_chart(view.calendar_chart(cal), on_select=pick_from_calendar,
                        key="sa_calendar", width="stretch")
        st.caption(f"Each square is a day (weeks run left to right); faded: the training "
                   f"months, full colour: November–December, never seen in training. Click a "
                   f"day, or pick it below. Code size {main_code}.")
        left, mid, right = st.columns([1, 2, 1], vertical_alignment="bottom")
        day = left.selectbox("Day", dates, key="sa_day")
        code = mid.select_slider("Code size (numbers the day is squeezed into)",
                                 sorted(models), value=main_code, key="sa_code")
        row = cal[cal["date"] == day].iloc[0]
        by_code = {c: next(d["mse"] for d in day_cards[c].days if d["date"] == day)
                   for c in sorted(models)}
        right.metric("This day's error", f"{by_code[code]:.3f}",
                     help="Mean squared error over its 24 × 8 readings, normalized units")
        gaps = f", {row['missing %']}% of its readings missing" if row["missing"] else ""
        better = view.share_below(by_code[code], val_days["mse"])
        st.caption(f"A {row['split']} day{gaps}: {better:.0f}% of the validation days are "
                   "rebuilt better. With "
                   "each code size: " + ", ".join(f"{c}: {e:.3f}" for c, e in by_code.items())
                   + ".")
        if days is None:
            st.info("The day's curves need the Air Quality file (see above).")
            return
        i = list(days.dates.strftime("%Y-%m-%d")).index(day)
        frame = view.curves(days.x[i], rebuilt_days(path, code)[i], stats)
        st.altair_chart(view.curves_chart(frame), width="content")
        st.caption("Actual readings (gaps: missing) and the day rebuilt from its code, in "
                   "each reading's own units. Slide the code size down and the rebuilt "
                   "curves lose the day's details, then its shape.")

    calendar_and_day()

    # --- 2. Code size ----------------------------------------------------------------------------
    st.header("2 · What a smaller code loses")
    sizes = view.code_sizes(day_cards)
    st.altair_chart(view.code_sizes_chart(sizes), width="stretch", height=240)
    st.markdown(
        f"The red dashed line is the **baseline**: every day rebuilt as the training months' "
        f"average day (per hour and reading), error {sizes['baseline mse'].iloc[0]:.2f}. "
        f"With {main_code} numbers the autoencoder's error is "
        f"{sizes['validation mse'].iloc[-1]:.2f}, "
        f"{sizes['baseline mse'].iloc[-1] / sizes['validation mse'].iloc[-1]:.0f}× smaller: "
        "the code carries the day's level, its weather and the shape of its rush hours. Two "
        "numbers keep only the broad level of the day.")

    # --- 3. The most unusual days ----------------------------------------------------------------
    st.header("3 · The most unusual days, and what the data shows")
    unusual = pd.DataFrame(card.unusual_days)
    unusual["what the data shows"] = unusual["notes"].map("; ".join)
    st.dataframe(unusual[["date", "score", "worst_channel", "what the data shows"]],
                 hide_index=True, width="stretch", column_config={
                     "score": st.column_config.NumberColumn("error", format="%.3f"),
                     "worst_channel": "worst reading",
                     "what the data shows": st.column_config.TextColumn(width="large")})
    off = [d["date"] for d in card.days if d["missing"] >= 0.5]
    if off:
        st.markdown(f"**Outages**: on {', '.join(off)} the box sent at most half of its "
                    "readings; the model is fed the training means there, a flat day it "
                    "rebuilds easily, so these days are marked by the tooltip's *missing %* "
                    "rather than by their error.")
    st.caption("The largest errors of all 2004 days. The winter months are colder, more humid "
               "and more polluted than any training day, so November–December days lead the "
               "list: a sign of **drift** as much as of faults. Days with gaps are fed the "
               "training means, which rarely look like a real day.")

    # --- 4. Anomaly score -------------------------------------------------------------------------
    st.header("4 · The error as an anomaly score")
    detected = card.metrics["faults"]
    st.markdown(
        "As with images, the reconstruction error is an **anomaly score**. To test it, faults "
        f"are injected into the {detected['clean_days']} complete validation days: a sensor "
        f"**stuck** at its last reading for {faults.STUCK_HOURS[0]}–{faults.STUCK_HOURS[1]} "
        f"hours, or a **spike** of ±{faults.SPIKE:g} standard deviations in one hour. A fault "
        "counts as found when the day scores above 99% of the clean validation days.")
    labels = {"clean": "clean validation days", "stuck": "stuck 6–12 h",
              "spike": f"spike ±{faults.SPIKE:g} sd", "spike_x2": f"spike ±{2 * faults.SPIKE:g} sd"}

    @st.fragment
    def score_strip() -> None:
        name = st.radio("Score", ["fault", "peak", "mse"], horizontal=True, key="sa_score",
                        format_func={"fault": "fault: a reading too still or sticking out",
                                     "peak": "peak: the worst one-hour surprise",
                                     "mse": "mse: the whole day"}.get)
        result = detected[name]
        st.altair_chart(view.score_strip_chart(result, labels, name), width="stretch")
        st.markdown(
            f"Above the dashed line (99% of clean days): stuck sensors **{result['stuck']:.0%}**"
            f", spikes of ±{faults.SPIKE:g} sd **{result['spike']:.0%}**, spikes of "
            f"±{2 * faults.SPIKE:g} sd **{result['spike_x2']:.0%}**.")

    score_strip()
    train_found = detected["on_training_days"]
    clean_val = sorted((d for d in card.days if d["date"] >= "2004-11" and not d["missing"]),
                       key=lambda d: -d["peak"])
    st.caption(
        "*fault*: the rebuilt day's **movement** against the readings'. A stuck sensor holds "
        "still where the decoder, reading the other channels, rebuilds the day's usual rise and "
        "fall; a spike sticks out from both neighbouring hours, where a real jump departs from "
        "one side only. Each is measured on the reconstruction residuals, in units of what "
        "clean training days reach (their 99th percentile), and the day scores its worst. "
        "*peak*: a day's largest one-hour surprise (a reading's error minus the mean error of "
        "the hours either side, squared); *mse*: the whole day's mean error. Both compare "
        "values only: a stuck sensor keeps a plausible value (in "
        f"{1 - detected['stuck_visible_share']:.0%} of the cases it never moves a reading one "
        "standard deviation from the truth), so they find "
        f"{detected['peak']['stuck']:.0%} of them, and the peak's bar is set by a real sudden "
        f"jump on {clean_val[0]['date']} (peak {clean_val[0]['peak']:.0f}, see section 3). On "
        f"training-like days the fault score finds {train_found['fault']['stuck']:.0%} of stuck "
        f"sensors and {train_found['fault']['spike']:.0%} of ±{faults.SPIKE:g} sd spikes.")

    @st.fragment
    def break_a_day() -> None:
        if days is None:
            st.info("Breaking a day needs the Air Quality file (see section 1).")
            return
        quiet = val_days.sort_values("mse").iloc[len(val_days) // 2]["date"]  # a typical day
        st.session_state.setdefault("sa_fault_day", quiet)
        pick, kind_col, channel_col, hour_col = st.columns(4)
        day = pick.selectbox("Day", dates, key="sa_fault_day")
        kind = kind_col.radio("Fault", ["stuck", "spike"], index=1, horizontal=True,
                              key="sa_fault")
        channel = channel_col.selectbox("Reading", list(windows.CHANNELS),
                                        key="sa_fault_channel")
        hour = hour_col.slider("From hour", 0, 23, 8, key="sa_fault_hour")
        result = broken_day(path, main_code, day, kind, windows.CHANNELS.index(channel), hour)
        before, after = result["fault_before"], result["fault_after"]
        what = result["what"]
        threshold = detected["fault"]["threshold"]
        a, b = st.columns(2)
        a.metric(f"Fault score of {day}, as recorded", f"{before:.1f}")
        b.metric(f"with {what}", f"{after:.1f}", delta=f"{after - before:+.1f}",
                 delta_color="inverse")
        if before > threshold:
            verdict = "this day is above it already, fault or not: pick a quieter day"
        else:
            verdict = "this fault is " + ("**found**" if after > threshold else "missed")
        st.markdown(f"The bar (99% of clean validation days) is a fault score of "
                    f"**{threshold:.1f}**: {verdict}. The day's peak goes from "
                    f"{result['peak_before']:.0f} to {result['peak_after']:.0f}, its mean "
                    f"error from {result['mse_before']:.3f} to {result['mse_after']:.3f}.")

    break_a_day()

# --- 5. Your own file ----------------------------------------------------------------------------
st.header("5 · Score the days of your own file")


@st.fragment
def upload_section() -> None:
    upload = st.file_uploader("A file in the UCI Air Quality format (`;`, decimal commas)",
                              type=["csv", "txt"], key="sa_upload")
    if upload is None or main_code is None:
        st.caption("Every day with all 24 hourly rows is scored; the rest are skipped.")
        return
    if upload.size > 20_000_000:
        st.error("That file is over 20 MB; the UCI file is about 0.8 MB.")
        return
    try:
        result, rows = score_upload(upload.getvalue(), main_code)
    except data.AirQualityFormatError as err:
        st.error(f"This file cannot be used: {as_text(err)}")
        return
    a, b, c = st.columns(3)
    a.metric("Complete days", result["windows"],
             help=f"{result['skipped_days']} partial day(s) skipped")
    b.metric("Error (mse)", f"{result['mse']:.3f}")
    c.metric("Baseline (average day)", f"{result['baseline_mse']:.3f}")
    st.altair_chart(view.day_errors_chart(view.calendar(rows)), width="stretch", height=200)
    st.dataframe(view.worst_days_table(result), hide_index=True, width="stretch")


upload_section()

# --- 6. Sentences --------------------------------------------------------------------------------
st.header("6 · A sentence autoencoder")
st.markdown(
    "The book's own example: an **LSTM** reads a sentence word by word into a code, and a "
    "second LSTM, fed the code at every position (`RepeatVector`), writes it back one word at "
    "a time. It is trained on the statements of the bAbI stories (*mary moved to the "
    "bathroom*, *john picked up the football there*), a small language of 312 sentences over "
    "31 words; a tenth of them were held out of training.")
try:
    s_model, vocab, s_card = sentence_model()
except (FileNotFoundError, ValueError, OSError) as err:
    st.warning(f"The sentence autoencoder is not available: {err}")
    st.stop()


@st.cache_data(show_spinner="Encoding every sentence of the language…")
def language_codes() -> tuple[list[str], np.ndarray]:
    said = sentences.language()
    return [" ".join(s) for s in said], sentences.codes(s_model, vocab, said)


@st.cache_data(max_entries=512, show_spinner=False)
def round_trip(text: str) -> sentences.Trip:
    return sentences.trip(s_model, vocab, text)


@st.fragment
def sentence_section() -> None:
    st.session_state.setdefault("sa_sentence", "mary moved to the bathroom")
    text = st.text_input("A sentence", key="sa_sentence",
                         help="For example: “sandra journeyed to the garden”")
    result = round_trip(text)
    if result.unknown:
        named = ", ".join(f"**{as_text(w)}**" for w in result.unknown)
        st.warning("The model has never seen " + named
                   + ". Those words are left out of what it reads.",
                   icon=":material/spellcheck:")
        with st.expander(f"The {len(vocab) - 1} words it knows"):
            st.write(" · ".join(vocab.words[1:]))
    if result.cut:
        st.info(f"The model reads at most {vocab.length} words; the last {result.cut} are "
                "left out.", icon=":material/content_cut:")
    if not result.words:
        st.info("Type a sentence with some of the words above.")
        return
    same = result.rebuilt == result.words
    st.markdown(f"Read: *{' '.join(result.words)}* → rebuilt: **{' '.join(result.rebuilt)}** "
                + (":green[(exact)]" if same else ":orange[(not quite)]"))
    left, right = st.columns(2)
    left.altair_chart(view.code_chart(result.code), width="stretch", height=220)
    right.dataframe(view.choices_table(result.steps), hide_index=True, width="stretch")
    right.caption("Word by word: the decoder's three likeliest words at each position; "
                  "“(end)” means the sentence is over.")
    said, all_codes = language_codes()
    near, distance = sentences.nearest(all_codes, result.code, k=6)
    st.subheader("Nearby sentences in code space")
    st.dataframe(pd.DataFrame({"sentence": [said[i] for i in near],
                               "distance": distance.round(2)}), hide_index=True)
    st.caption("The sentences whose codes lie closest to yours (Euclidean distance): the code "
               "groups sentences by who, by what they did and where.")


sentence_section()
with st.expander("The shipped models: how well, how fast, how to rebuild them"):
    st.dataframe(view.shipped_table(day_cards, s_card), hide_index=True, width="stretch")
    st.caption("Data: UCI Air Quality (De Vito et al. 2008, CC BY 4.0); Facebook bAbI v1.2 "
               "(CC BY 3.0).")
