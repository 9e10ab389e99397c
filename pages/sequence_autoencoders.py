"""Sequence autoencoders: recurrent encoders and decoders for sentences and days of sensor data."""

import numpy as np
import pandas as pd
import streamlit as st

from core import i18n
from core.air_quality import data
from core.catalog import UPLOAD_LIMIT_BYTES, UPLOAD_LIMIT_MB
from core.i18n import _
from core.sequence_autoencoder import faults, scoring, sentences, training, view, windows
from core.sequence_autoencoder.model import CODE_SIZES
from pages.common import locate_or_explain, map_terms, reader_asks
from pages.shipped import shipped_model
from pages.text import as_text


@shipped_model(show_spinner=False)
def day_model(code: int):
    return training.load_shipped(code)


@shipped_model(show_spinner=False)
def sentence_model():
    return sentences.load_shipped()


@st.cache_data(max_entries=2, show_spinner=False)
def dev_days(path: str) -> windows.Days:
    return windows.days(data.parse(path))


@st.cache_data(max_entries=2, show_spinner=False)
def drift(path: str) -> dict:
    return windows.outside_training_range(*windows.split(dev_days(path)))


@st.cache_data(max_entries=8, show_spinner=False)
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


@st.cache_data(max_entries=4, show_spinner=False)
def score_upload(content: bytes, code: int):
    """(the evaluate command's answer, each day's row) for an uploaded file."""
    model, card = day_model(code)
    mine = windows.days(data.parse(content))
    per_day = scoring.scores(scoring.day_errors(model, mine.x,
                                                windows.Stats.from_json(card.stats)))
    return (training.score_days(model, card, mine),
            view.day_table(mine.dates, per_day, mine.missing_share()))


@st.cache_data(show_spinner=False)
def language_codes() -> tuple[list[str], np.ndarray]:
    """Every sentence of the bAbI language and its code."""
    net, vocab, _card = sentence_model()
    said = sentences.language()
    return [" ".join(s) for s in said], sentences.codes(net, vocab, said)


@st.cache_data(max_entries=512, show_spinner=False)
def round_trip(text: str) -> sentences.Trip:
    net, vocab, _card = sentence_model()
    return sentences.trip(net, vocab, text)


def shipped_day_models() -> dict:
    """{code size: (model, card)} of the day autoencoders that load, a warning for the rest."""
    models = {}
    for code in CODE_SIZES:
        try:
            models[code] = day_model(code)
        except (FileNotFoundError, ValueError, OSError) as err:
            st.warning(_("The day autoencoder with a {code}-number code is not available: "
                         "{error}", code=code, error=as_text(err)))
    return models


def air_quality_days():
    """(path, days) of the development Air Quality file; (None, None) when it is not here."""
    found = locate_or_explain("air-quality", _(
        "drawing a day's curves and breaking a day (the scores come with the shipped model's "
        "card)"))
    if found is None:
        return None, None
    try:
        return str(found), dev_days(str(found))
    except data.AirQualityFormatError as err:
        st.error(_("The Air Quality file at {path} could not be read: {error}", path=str(found),
                   error=as_text(err)))
        return None, None


# --- sections ------------------------------------------------------------------------------------
def the_books_example(sentence_card) -> None:
    st.title(_("Sequence autoencoders: sentences, and unusual days"))
    st.markdown(_(
        "An autoencoder's encoder and decoder follow the data: convolutions for images (see "
        "*Autoencoders*), **recurrent networks** for sequences such as text and time series."))
    st.header(_("The book's example"), anchor="the-books-example")
    st.markdown(_(
        "The book's `lstm_autoencoder.py` (Japanese edition, `ch07/`) reads **Reuters news "
        "articles**: each is cut to its first 50 words (common English words such as *the* "
        "removed), and each word becomes its pretrained 100-number **GloVe** vector. A "
        "bidirectional LSTM reads the 50 vectors into a code of 1,024 numbers; `RepeatVector` "
        "hands the code to each of the 50 positions, and a second bidirectional LSTM writes 50 "
        "vectors back. It is trained to make them equal the input vectors (mean squared error). "
        "Then the decoder is set aside: the **encoder alone** turns each test article into its "
        "code, and k-means groups the codes into as many clusters as there are topics with "
        "more than 50 test articles, compared with clusters of plain word counts. The English "
        "edition's "
        "`sent-thoughts-rnn.py` does the same with Reuters *sentences* (a 512-number code) "
        "and keeps the encoder too, to compare a sentence's code with its reconstruction's."))
    reader_asks(
        _("An autoencoder rebuilds its input, so is the decoder the finished product?"),
        _("Not in the book's example: its decoder exists only so that the encoder can be "
          "trained, and what the book uses in the end is the encoder's code for each article, "
          "clustered with k-means. Here both halves are shown at work: below, the encoder's "
          "code of your sentence finds its neighbours, and the decoder writes the sentence "
          "back word by word."))
    split, v = sentence_card.split, sentence_card.validation
    st.markdown(_(
        "**How this lab differs.** The book's example needs the Reuters corpus and the GloVe "
        "vectors, which this lab does not ship. Here the same idea runs on the statements of "
        "the bAbI "
        "stories (*mary moved to the bathroom*, *john picked up the football there*): a small "
        "language of {sentences} distinct sentences over {words} words. The words get an "
        "embedding learnt with the model instead of GloVe; one LSTM (not bidirectional) reads "
        "them into a code of {code} numbers; the decoder chooses a *word* at each position (a "
        "softmax over the vocabulary, trained with cross-entropy) instead of regressing "
        "vectors, so its output can be read. {held} sentences were held out of training: "
        "{exact:.0%} of them come back word for word.",
        sentences=split["train"] + split["validation"], words=sentence_card.vocabulary,
        code=sentence_card.code_size, held=v["sentences"], exact=v["exact"]))


@st.fragment
def sentence_section(vocab) -> None:
    st.header(_("1 · A sentence autoencoder"), anchor="sentence-autoencoder")
    st.markdown(_(
        "The encoder's **LSTM** (a recurrent layer that reads a sequence one step at a time, "
        "carrying a memory along) reads the words; a `Dense` layer turns its last state into "
        "the code. `RepeatVector` copies the code once per position, so that the decoder's LSTM "
        "gets it at every step, and `TimeDistributed(Dense)` applies the same `Dense` layer at "
        "each position to pick that position's word. The model reads English words only."))
    st.session_state.setdefault("sa_sentence", "mary moved to the bathroom")
    text = st.text_input(_("A sentence (in English)"), key="sa_sentence",
                         help=_("For example: “sandra journeyed to the garden”"))
    result = round_trip(text)
    if result.unknown:
        st.warning(_("The model has never seen {words}. Those words are left out of what it "
                     "reads.", words=", ".join(f"**{as_text(w)}**" for w in result.unknown)),
                   icon=":material/spellcheck:")
        with st.expander(_("The {n} words it knows", n=len(vocab) - 1)):
            st.write(" · ".join(vocab.words[1:]))
    if result.cut:
        st.info(_("The model reads at most {length} words; the last {cut} are left out.",
                  length=vocab.length, cut=result.cut), icon=":material/content_cut:")
    if not result.words:
        st.info(_("Type a sentence with some of the words above."))
        return
    read, rebuilt = " ".join(result.words), " ".join(result.rebuilt)
    st.markdown(_("Read: *{read}* → rebuilt: **{rebuilt}** :green[(exact)]", read=read,
                  rebuilt=rebuilt) if result.rebuilt == result.words else
                _("Read: *{read}* → rebuilt: **{rebuilt}** :orange[(not quite)]", read=read,
                  rebuilt=rebuilt))
    left, right = st.columns(2)
    left.altair_chart(view.code_chart(result.code), width="stretch", height=220)
    right.dataframe(view.choices_table(result.steps), hide_index=True, width="stretch",
                    column_config={"position": _("position")})
    right.caption(_("Word by word: the decoder's three likeliest words at each position; "
                    "“(end)” means the sentence is over."))
    said, all_codes = language_codes()
    near, distance = sentences.nearest(all_codes, result.code, k=6)
    st.subheader(_("Nearby sentences in code space"), anchor="nearby-sentences")
    st.dataframe(pd.DataFrame({"sentence": [said[i] for i in near],
                               "distance": distance.round(2)}), hide_index=True,
                 column_config={"sentence": _("sentence"), "distance": _("distance")})
    st.caption(_("The sentences whose codes lie closest to yours (Euclidean distance): the code "
                 "groups sentences by who, by what they did and where."))


def days_introduction(card) -> None:
    st.markdown(_(
        "**Days of sensor readings.** The same shape works for time series. A bidirectional "
        "**GRU** (a gated recurrent unit: a recurrent layer like the LSTM with one gate fewer; "
        "*bidirectional*: one GRU reads the day forwards, another backwards, and both feed the "
        "code) reads one day of the air-quality box, 24 hours × {channels} readings (sensors "
        "PT08.S1–S5, temperature T, relative humidity RH, absolute humidity AH), into a code of "
        "a few numbers; `RepeatVector` hands the code to every hour and a second GRU writes the "
        "day back, hour by hour, through a `TimeDistributed(Dense)`. Trained on the days from "
        "{start} to {end}, it rebuilds ordinary days well, so a day it rebuilds badly is "
        "**unusual**. Every reading is first put in **normalized units**: minus its training "
        "mean, divided by its training standard deviation, so that 1 means one standard "
        "deviation whatever the sensor; errors are squares of those.",
        channels=len(windows.CHANNELS), start=i18n.date(card.split["train"][0]),
        end=i18n.date(card.split["train"][1])))


@st.fragment
def calendar_and_day(day_cards: dict, main_code: int, path, days) -> None:
    st.header(_("2 · Every day, coloured by how badly it is rebuilt"), anchor="every-day")
    card = day_cards[main_code]
    cal = view.calendar(card.days)
    st.session_state.setdefault("sa_day", view.worst_validation_day(card.days))

    def pick_from_calendar() -> None:
        points = st.session_state["sa_calendar"].get("selection", {}).get("day")
        if points:
            st.session_state["sa_day"] = points[0]["date"]

    st.altair_chart(view.calendar_chart(cal), on_select=pick_from_calendar,
                    key="sa_calendar", width="stretch")
    st.caption(_("Each square is a day (weeks run left to right); faded: the training days, "
                 "full colour: the validation days from {start} on, never seen in training. "
                 "Click a day, or pick it below. Code size {code}.",
                 start=i18n.date(card.split["validation"][0]), code=main_code))
    left, mid, right = st.columns([1, 2, 1], vertical_alignment="bottom")
    day = left.selectbox(_("Day"), list(cal["date"]), key="sa_day")
    code = mid.select_slider(_("Code size (numbers the day is squeezed into)"),
                             sorted(day_cards), value=main_code, key="sa_code")
    row = cal[cal["date"] == day].iloc[0]
    by_code = {c: next(d["mse"] for d in day_cards[c].days if d["date"] == day)
               for c in sorted(day_cards)}
    right.metric(_("This day's error"), f"{by_code[code]:.3f}",
                 help=_("Mean squared error over its {hours} × {channels} readings, in "
                        "normalized units", hours=windows.HOURS, channels=len(windows.CHANNELS)))
    better = view.share_below(by_code[code], cal[cal["split"] == "validation"]["mse"])
    each = i18n.listing([f"{c}: {e:.3f}" for c, e in by_code.items()])
    st.caption(_("A {split} day, {missing}% of its readings missing: {share:.0f}% of the "
                 "validation days are rebuilt better. With each code size: {each}.",
                 split=row["split name"], missing=row["missing %"], share=better, each=each)
               if row["missing"] else
               _("A {split} day: {share:.0f}% of the validation days are rebuilt better. With "
                 "each code size: {each}.", split=row["split name"], share=better, each=each))
    if days is None:
        st.info(_("The day's curves need the Air Quality file (see above)."))
        return
    i = list(days.dates.strftime("%Y-%m-%d")).index(day)
    frame = view.curves(days.x[i], rebuilt_days(path, code)[i], windows.Stats.from_json(
        card.stats))
    st.altair_chart(view.curves_chart(frame), width="content")
    st.caption(_("Actual readings (gaps: missing) and the day rebuilt from its code, in each "
                 "reading's own units. Slide the code size down and the rebuilt curves lose the "
                 "day's details, then its shape."))


def code_size(day_cards: dict, main_code: int) -> None:
    st.header(_("3 · What a smaller code loses"), anchor="code-size")
    sizes = view.code_sizes(day_cards)
    st.altair_chart(view.code_sizes_chart(sizes), width="stretch", height=240)
    main = sizes[sizes["code size"] == main_code].iloc[0]
    st.markdown(_(
        "The red dashed line is the **baseline**: every day rebuilt as the training days' "
        "average day (per hour and reading), error {baseline:.2f}. With {code} numbers the "
        "autoencoder's error is {mse:.2f}, {ratio:.0f}× smaller: the code carries the day's "
        "level, its weather and the shape of its rush hours. Two numbers keep only the broad "
        "level of the day.", baseline=main["baseline mse"], code=main_code,
        mse=main["validation mse"], ratio=main["baseline mse"] / main["validation mse"]))


def unusual_days(card, path) -> None:
    st.header(_("4 · The most unusual days, and what the data shows"), anchor="unusual-days")
    st.dataframe(view.unusual_table(card.unusual_days), hide_index=True, width="stretch",
                 column_config={**i18n.labels(view.UNUSUAL_COLUMNS),
                                "score": st.column_config.NumberColumn(_("error"),
                                                                       format="%.3f"),
                                "what the data shows": st.column_config.TextColumn(
                                    _("what the data shows"), width="large")})
    if off := view.outages(card.days):
        st.markdown(_("**Outages**: on {days} the box sent at most half of its readings; the "
                      "model is fed the training means there, a flat day it rebuilds easily, so "
                      "these days are marked by the tooltip's *missing %* rather than by their "
                      "error.", days=i18n.listing([i18n.date(day) for day in off])))
    in_validation = sum(view.in_validation(d["date"]) for d in card.unusual_days)
    st.caption(_("The {n} largest errors of all the days in the card: {k} of them fall in the "
                 "validation months. Days with gaps are fed the training means, which rarely "
                 "look like a real day.", n=len(card.unusual_days), k=in_validation))
    if path is not None:
        outside = drift(path)
        st.caption(_("The validation months leave the training range: on {outside} of the "
                     "{days} validation days with readings, some reading's daily mean lies "
                     "beyond every training day's ({which}). A large error there is a sign of "
                     "**drift** as much as of faults.", outside=outside["outside"],
                     days=outside["days"], which=view.drift_words(outside)))


@st.fragment
def score_strip(detected: dict) -> None:
    name = st.radio(_("Score"), list(view.SCORES), horizontal=True, key="sa_score",
                    format_func=lambda s: _(view.SCORES[s]))
    result = detected[name]
    st.altair_chart(view.score_strip_chart(result, view.group_labels(), name), width="stretch")
    st.markdown(_("Above the dashed line (99% of clean days): stuck sensors **{stuck:.0%}**, "
                  "spikes of ±{sd:g} sd **{spike:.0%}**, spikes of ±{sd2:g} sd **{spike2:.0%}**.",
                  stuck=result["stuck"], sd=faults.SPIKE, spike=result["spike"],
                  sd2=2 * faults.SPIKE, spike2=result["spike_x2"]))


def anomaly_score(card) -> None:
    st.header(_("5 · The error as an anomaly score"), anchor="anomaly-score")
    detected = card.metrics["faults"]
    st.markdown(_(
        "As with images, the reconstruction error is an **anomaly score**. To test it, faults "
        "are injected into the {n} complete validation days: a sensor **stuck** at its last "
        "reading for {low}–{high} hours, or a **spike** of ±{sd:g} standard deviations in one "
        "hour. A fault counts as found when the day scores above 99% of the clean validation "
        "days.", n=detected["clean_days"], low=faults.STUCK_HOURS[0],
        high=faults.STUCK_HOURS[1], sd=faults.SPIKE))
    score_strip(detected)
    sharpest, on_training = view.sharpest_clean_day(card.days), detected["on_training_days"]
    st.caption(_(
        "*fault*: the rebuilt day's **movement** against the readings'. A stuck sensor holds "
        "still where the decoder, reading the other channels, rebuilds the day's usual rise and "
        "fall; a spike sticks out from both neighbouring hours, where a real jump departs from "
        "one side only. Each is measured on the reconstruction residuals, in units of what "
        "clean training days reach (their 99th percentile), and the day scores its worst. "
        "*peak*: a day's largest one-hour surprise (a reading's error minus the mean error of "
        "the hours either side, squared); *mse*: the whole day's mean error. Both compare "
        "values only: a stuck sensor keeps a plausible value (in {quiet:.0%} of the cases it "
        "never moves a reading one standard deviation from the truth), so they find "
        "{peak_found:.0%} of them, and the peak's bar is set by a real sudden jump on {date} "
        "(peak {peak:.0f}). On training-like days the fault score finds {stuck:.0%} of stuck "
        "sensors and {spike:.0%} of ±{sd:g} sd spikes.",
        quiet=1 - detected["stuck_visible_share"], peak_found=detected["peak"]["stuck"],
        date=i18n.date(sharpest["date"]), peak=sharpest["peak"],
        stuck=on_training["fault"]["stuck"],
        spike=on_training["fault"]["spike"], sd=faults.SPIKE))


@st.fragment
def break_a_day(card, main_code: int, path) -> None:
    st.subheader(_("Break a day yourself"), anchor="break-a-day")
    if path is None:
        st.info(_("Breaking a day needs the Air Quality file (see section 2)."))
        return
    st.session_state.setdefault("sa_fault_day", view.typical_validation_day(card.days))
    pick, kind_col, channel_col, hour_col = st.columns(4)
    day = pick.selectbox(_("Day"), [d["date"] for d in card.days], key="sa_fault_day")
    kind = kind_col.radio(_("Fault"), ["stuck", "spike"], index=1, horizontal=True,
                          key="sa_fault", format_func=lambda k: _(view.FAULTS[k]))
    channel = channel_col.selectbox(_("Reading"), list(windows.CHANNELS), key="sa_fault_channel")
    hour = hour_col.slider(_("From hour"), 0, 23, 8, key="sa_fault_hour")
    result = broken_day(path, main_code, day, kind, windows.CHANNELS.index(channel), hour)
    before, after = result["fault_before"], result["fault_after"]
    threshold = card.metrics["faults"]["fault"]["threshold"]
    what = (_("{channel} stuck for {hours} hours from {hour}:00", **result["what"])
            if kind == "stuck" else
            _("a spike of +{sd:g} sd in {channel} at {hour}:00", **result["what"]))
    a, b = st.columns(2)
    a.metric(_("Fault score of {day}, as recorded", day=i18n.date(day)), f"{before:.1f}")
    b.metric(_("with {what}", what=what), f"{after:.1f}", delta=f"{after - before:+.1f}",
             delta_color="inverse")
    verdict = (_("this day is above it already, fault or not: pick a quieter day")
               if before > threshold else _("this fault is **found**") if after > threshold
               else _("this fault is missed"))
    st.markdown(_("The bar (99% of clean validation days) is a fault score of "
                  "**{threshold:.1f}**: {verdict}. The day's peak goes from {peak_before:.0f} "
                  "to {peak_after:.0f}, its mean error from {mse_before:.3f} to {mse_after:.3f}.",
                  threshold=threshold, verdict=verdict, peak_before=result["peak_before"],
                  peak_after=result["peak_after"], mse_before=result["mse_before"],
                  mse_after=result["mse_after"]))


@st.fragment
def upload_section(main_code: int | None) -> None:
    st.header(_("6 · Score the days of your own file"), anchor="your-own-file")
    upload = st.file_uploader(_("A file in the UCI Air Quality format (`;`, decimal commas)"),
                              type=["csv", "txt"], key="sa_upload")
    if upload is None or main_code is None:
        st.caption(_("Every day with all 24 hourly rows is scored; the rest are skipped."))
        return
    if upload.size > UPLOAD_LIMIT_BYTES:
        st.error(_("The file is {size:.0f} MB; the limit is {limit} MB.",
                   size=upload.size / 2**20, limit=UPLOAD_LIMIT_MB))
        return
    try:
        with st.spinner(_("Scoring your days…")):
            result, rows = score_upload(upload.getvalue(), main_code)
    except data.AirQualityFormatError as err:
        st.error(_("This file cannot be used: {error}", error=as_text(err)))
        return
    a, b, c = st.columns(3)
    a.metric(_("Complete days"), result["windows"],
             help=_("{n} partial day(s) skipped", n=result["skipped_days"]))
    b.metric(_("Error (mse)"), f"{result['mse']:.3f}")
    c.metric(_("Baseline (average day)"), f"{result['baseline_mse']:.3f}")
    st.altair_chart(view.day_errors_chart(view.calendar(rows)), width="stretch", height=200)
    st.dataframe(view.worst_days_table(result), hide_index=True, width="stretch",
                 column_config=i18n.labels(view.WORST_COLUMNS))


def shipped_models(day_cards: dict, sentence_card) -> None:
    with st.expander(_("The shipped models: how well, how fast, how to rebuild them")):
        st.dataframe(view.shipped_table(day_cards, sentence_card), hide_index=True,
                     width="stretch", column_config=i18n.labels(view.SHIPPED_COLUMNS))
        st.caption(_("Data: UCI Air Quality (De Vito et al. 2008, CC BY 4.0); Facebook bAbI "
                     "v1.2 (CC BY 3.0)."))


def days_sections(day_cards: dict) -> None:
    """Sections 2–5: the shipped day autoencoders, on the development data when it is here."""
    if not day_cards:
        st.info(_("No day autoencoder is shipped here; train them with `python -m core train "
                  "sequence-autoencoder`."))
        return
    main_code = max(day_cards)
    card = day_cards[main_code]
    days_introduction(card)
    path, days = air_quality_days()
    calendar_and_day(day_cards, main_code, path, days)
    code_size(day_cards, main_code)
    unusual_days(card, path)
    anomaly_score(card)
    break_a_day(card, main_code, path)


try:
    sentence_vocab, sentence_card = sentence_model()[1:]
except (FileNotFoundError, ValueError, OSError) as err:
    st.warning(_("The sentence autoencoder is not available: {error}", error=as_text(err)))
    st.stop()
the_books_example(sentence_card)
sentence_section(sentence_vocab)
day_cards = {code: card for code, (_model, card) in shipped_day_models().items()}
days_sections(day_cards)
upload_section(max(day_cards, default=None))
shipped_models(day_cards, sentence_card)
map_terms("sequence_autoencoders")
