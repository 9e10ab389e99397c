"""The day autoencoder: windows of the UCI file, the baseline, faults, shapes, the shipped models
and the evaluate command; the sentence autoencoder's vocabulary and round trip."""

import json
import subprocess
import sys
from dataclasses import asdict

import numpy as np
import pandas as pd
import pytest

from core.air_quality import data
from core.sequence_autoencoder import cli as seq_cli
from core.sequence_autoencoder import faults, model, scoring, sentences, training, view, windows
from tests.helpers import ROOT

HEADER = ("Date;Time;CO(GT);PT08.S1(CO);NMHC(GT);C6H6(GT);PT08.S2(NMHC);NOx(GT);PT08.S3(NOx);"
          "NO2(GT);PT08.S4(NO2);PT08.S5(O3);T;RH;AH;;")


def uci_text(start: str, hours: int, drop=(), missing=()) -> str:
    """A file in the UCI format: smooth daily cycles, `-200` at the `missing` hour indices,
    no row at all for the `drop` hour indices."""
    lines = [HEADER]
    for k, stamp in enumerate(pd.date_range(start, periods=hours, freq="h")):
        if k in drop:
            continue
        wave = np.sin(2 * np.pi * stamp.hour / 24)
        sensors = [1100 + 200 * wave, 950 + 250 * wave, 800 - 150 * wave, 1500 + 100 * wave,
                   1000 + 300 * wave]
        weather = [15 + 5 * wave, 50 - 10 * wave, 0.9 + 0.1 * wave]
        s1, s2, s3, s4, s5 = (f"{v:.0f}" if k not in missing else "-200" for v in sensors)
        t, rh, ah = (f"{v:.2f}".replace(".", ",") for v in weather)
        lines.append(f"{stamp:%d/%m/%Y};{stamp:%H.%M.%S};2,0;{s1};-200;9,0;{s2};100;{s3};90;"
                     f"{s4};{s5};{t};{rh};{ah};;")
    return "\r\n".join(lines + [";;;;;;;;;;;;;;;;"] * 2) + "\r\n"


def frame_of(text: str) -> pd.DataFrame:
    return data.parse(text.encode())


# --- windows --------------------------------------------------------------------------------------

def test_days_keeps_only_days_with_all_24_hourly_rows():
    # starts at 18:00 (a partial first day), then two full days, then a day missing one row
    text = uci_text("2004-11-01 18:00", 6 + 24 * 3, drop={6 + 48 + 5})
    days = windows.days(frame_of(text))
    assert list(days.dates.strftime("%Y-%m-%d")) == ["2004-11-02", "2004-11-03"]
    assert days.skipped == 2  # the day starting at 18:00, the day without its 05:00 row
    assert days.x.shape == (2, 24, 8)
    hourly = frame_of(text).loc["2004-11-02", list(windows.CHANNELS)].to_numpy("float32")
    np.testing.assert_array_equal(days.x[0], hourly)  # row h is hour h, in the file's order


def test_missing_readings_inside_a_complete_day_stay_nan():
    days = windows.days(frame_of(uci_text("2004-11-01", 48, missing={3, 30})))
    assert len(days) == 2
    assert np.isnan(days.x[0, 3, :5]).all() and not np.isnan(days.x[0, 3, 5:]).any()
    assert np.isnan(days.x[1, 6, :5]).all()
    assert days.missing_share()[0] == pytest.approx(5 / 192)


def test_a_file_without_a_complete_day_is_refused_with_a_reason():
    with pytest.raises(windows.NoCompleteDay, match="no day in the file has all 24 hourly"):
        windows.days(frame_of(uci_text("2004-11-01 03:00", 30)))


def test_duplicated_hours_count_once():
    text = uci_text("2004-11-01", 24)
    lines = text.split("\r\n")
    doubled = "\r\n".join(lines[:5] + [lines[4]] + lines[5:])  # 03:00 twice, as a DST fold
    days = windows.days(frame_of(doubled))
    assert len(days) == 1 and days.skipped == 0


def test_split_is_chronological():
    days = windows.days(frame_of(uci_text("2004-10-30", 24 * 4)))
    train, val = windows.split(days)
    assert list(train.dates.day) == [30, 31] and list(val.dates.day) == [1, 2]


def test_validation_days_end_with_2004_whichever_file_is_used():
    """The canonical UCI file runs into 2005; the page says November–December 2004."""
    days = windows.days(frame_of(uci_text("2004-12-30", 24 * 4)))
    __, val = windows.split(days)
    assert [d.strftime("%m-%d") for d in val.dates] == ["12-30", "12-31"]


def test_validation_days_leaving_the_training_range_are_counted_by_daily_mean():
    """The page's drift sentence: a day counts under a reading when its daily mean lies beyond
    every training day's, below or above; a day without readings is not counted."""
    levels = np.array([10.0, 14.0, 20.0], "float32")[:, None, None]  # the training days
    train = windows.Days(pd.date_range("2004-10-01", periods=3),
                         np.broadcast_to(levels, (3, 24, 8)).copy())
    val_x = np.full((4, 24, 8), 15.0, "float32")  # inside every range...
    val_x[0, :, 5] = 2.0  # ...but day 0 is colder (T) than any training day
    val_x[1, :, 6] = 40.0  # day 1 more humid (RH)
    val_x[1, :, 5] = 3.0  # and colder too: one day, counted once in "outside"
    val_x[1, :12, 0] = 100.0  # half a day of a high reading, the daily mean too: above
    val_x[2] = np.nan  # an outage: no readings, no verdict
    val = windows.Days(pd.date_range("2004-11-01", periods=4), val_x)
    out = windows.outside_training_range(train, val)
    assert out["days"] == 3 and out["outside"] == 2
    assert out["below"]["T"] == 2 and out["above"]["RH"] == 1
    assert out["above"][windows.CHANNELS[0]] == 1 and sum(out["below"].values()) == 2
    words = view.drift_words(out, top=2)
    assert words == "T below the training range on 2 days and RH above the training range on 1 days"


def test_the_page_claims_about_the_validation_months_hold_on_the_data(data_dir):
    """What the page says of the development data: the drift sentence's counts, the unusual
    days, the sharpest clean validation day."""
    days = windows.days(data.load(data_dir))
    train, val = windows.split(days)
    out = windows.outside_training_range(train, val)
    assert out["days"] == int((~np.isnan(val.x).all(axis=(1, 2))).sum())
    assert 0 < out["outside"] <= out["days"]
    card = training.load_shipped(16)[1]
    assert view.sharpest_clean_day(card.days)["date"] >= card.split["validation"][0]
    assert card.split["train"][1] < card.split["validation"][0] == "2004-11-01"


def test_stats_normalize_fill_missing_with_the_mean():
    days = windows.days(frame_of(uci_text("2004-11-01", 48, missing={3})))
    stats = windows.Stats.of(days)
    z = stats.normalize(days.x)
    assert not np.isnan(z).any()
    assert (z[0, 3, :5] == 0).all()  # a missing reading is the training mean
    np.testing.assert_allclose(np.nanmean(days.x.reshape(-1, 8), 0), stats.mean, rtol=1e-5)


def test_the_baseline_is_the_mean_day_per_hour_and_channel():
    x = np.zeros((3, 24, 8), "float32")
    x[:, :, 0] = np.arange(24)[None] + np.array([0.0, 1.0, 2.0])[:, None]  # days 0, +1, +2
    x[1, 5, 1] = np.nan
    days = windows.Days(pd.date_range("2004-03-01", periods=3), x)
    stats = windows.Stats(np.zeros(8, "float32"), np.ones(8, "float32"))
    profile = windows.mean_profile(days, stats)
    np.testing.assert_allclose(profile[:, 0], np.arange(24) + 1.0)
    assert profile[5, 1] == 0.0  # the mean of the two readings there, NaN ignored


# --- faults and scores ----------------------------------------------------------------------------

def test_faults_hold_a_reading_or_add_a_spike():
    day = np.arange(24 * 8, dtype="float32").reshape(24, 8)
    held = faults.stuck(day, 2, 5, 7)
    assert (held[5:12, 2] == day[5, 2]).all() and (held[12:, 2] == day[12:, 2]).all()
    assert (np.delete(held, 2, axis=1) == np.delete(day, 2, axis=1)).all()
    spiked = faults.spike(day, 7, 3, -10.0)
    assert spiked[3, 7] == day[3, 7] - 10 and (spiked != day).sum() == 1


def test_inject_makes_one_fault_of_each_kind_per_day():
    rng = np.random.default_rng(0)
    clean = rng.normal(size=(20, 24, 8)).astype("float32")
    stats = windows.Stats(np.zeros(8, "float32"), np.ones(8, "float32"))
    broken = faults.inject(clean, stats)
    for day, spiked in zip(clean, broken["spike"], strict=True):
        assert (spiked != day).sum() == 1 and np.abs(spiked - day).max() == pytest.approx(4)
    assert ((broken["stuck"] != clean).any(axis=(1, 2))).mean() > 0.9


def test_a_one_hour_spike_surprises_and_a_day_long_offset_does_not():
    residual = np.zeros((2, 24, 8), "float32")
    residual[0, :, 3] = 2.0  # the whole day off by 2
    residual[1, 10, 3] = 2.0  # one hour off by 2
    surprise = scoring.surprises(residual)
    assert surprise[0].max() == 0
    assert surprise[1, 10, 3] == 4.0 and surprise[1, 9, 3] == surprise[1, 11, 3] == 1.0
    typical = np.full(8, 0.5, "float32")
    np.testing.assert_allclose(scoring.peaks(residual, typical), [0.0, 8.0])


def test_a_still_reading_and_a_spike_raise_the_fault_score_and_a_real_jump_less():
    hours = np.arange(24)
    z = np.stack([np.sin(2 * np.pi * hours / 24 + c) for c in range(8)], axis=1)[None]
    z = np.repeat(z, 4, axis=0).astype("float32")
    rebuilt = z.copy()  # the model rebuilds the clean day
    z[1, 8:16, 2] = z[1, 8, 2]  # stuck for 8 hours
    z[2, 12, 5] += 4.0  # a spike
    z[3, 12:, 5] += 4.0  # a level jump of the same size, from noon on
    residual = z - rebuilt
    still = scoring.stillness(z, rebuilt, np.full(8, 1e-3, "float32"))
    assert still.shape == (4, 24 - scoring.STILL_HOURS + 1, 8)
    assert np.abs(still[0]).max() < 1e-6 and still[1, :, 2].max() > 5
    assert still[[2, 3]].max() < 1e-6 < -still[[2, 3]].min()  # they move more, not less
    stick = scoring.stick_outs(residual)
    assert stick[2, 12, 5] == pytest.approx(4) and stick[2].sum() == pytest.approx(4)
    assert stick[3].max() < 1e-5  # a jump stands out from one side only
    ones = np.ones(8, "float32")
    units = scoring.FaultUnits(np.full(8, 1e-3, "float32"), ones, ones, ones)
    day = scoring.fault_score(z, residual, units)
    assert day[0] < 1e-5 and day[3] < 1e-5
    assert day[1] > 5 and day[2] == pytest.approx(4)
    assert scoring.FaultUnits.from_json(units.to_json()).to_json() == units.to_json()


def test_notes_are_kept_as_data_and_said_in_the_readers_language():
    said = scoring.note("public holiday ({holiday}): little traffic",
                        holiday=scoring.HOLIDAYS["2004-12-25"])
    assert json.loads(json.dumps(said)) == said  # a card keeps it as it is
    assert scoring.note_text(said) == "public holiday (Christmas Day): little traffic"
    card = training.load_shipped(16)[1]
    for day in card.unusual_days:  # every shipped note is a template with its values
        for note in day["notes"]:
            assert scoring.note_text(note) and set(note) == {"text", "values"}


def test_the_pages_days_come_from_the_card():
    card = training.load_shipped(16)[1]
    validation = [d for d in card.days if d["date"] >= card.split["validation"][0]]
    assert view.worst_validation_day(card.days) == max(validation, key=lambda d: d["mse"])["date"]
    clean = [d for d in validation if not d["missing"]]
    assert view.sharpest_clean_day(card.days) == max(clean, key=lambda d: d["peak"])
    assert view.typical_validation_day(card.days) in {d["date"] for d in validation}
    assert view.outages(card.days) == [d["date"] for d in card.days if d["missing"] >= 0.5]
    assert model.CODE_SIZES == seq_cli.CODES  # the CLI's copy, kept to spare --help Keras


def test_describe_names_outages_flat_runs_and_holidays():
    stats = windows.Stats(np.zeros(8, "float32"), np.ones(8, "float32"))
    x = np.random.default_rng(0).normal(size=(24, 8)).astype("float32")
    x[:, 0] = np.nan
    x[3:12, 4] = 7.0
    report = scoring.describe(pd.Timestamp("2004-12-25"), x, np.zeros((24, 8)), stats, 0.5)
    text = " ".join(map(scoring.note_text, report.notes))
    assert "Christmas Day" in text and "no readings from PT08.S1(CO)" in text
    assert "PT08.S5(O3) repeats the same value for 9 hours" in text


# --- the model ------------------------------------------------------------------------------------

def test_model_shapes_and_missing_readings_inside_the_model():
    stats = windows.Stats(np.full(8, 100, "float32"), np.full(8, 10, "float32"))
    net = model.build(4, stats, units=8)
    x = np.full((3, 24, 8), 100.0, "float32")
    x[0, 0, 0] = -200.0
    x[1, 5, 3] = np.nan
    out = net.predict_on_batch(x)
    assert out.shape == (3, 24, 8) and np.isfinite(out).all()
    encoder, decoder = model.parts(net)
    assert encoder.predict_on_batch(x).shape == (3, 4) and model.code_size(net) == 4
    assert decoder.predict_on_batch(np.zeros((2, 4), "float32")).shape == (2, 24, 8)
    # a missing reading is read as the training mean: the same day, filled in by hand
    x[0, 0, 0] = x[1, 5, 3] = 100.0
    np.testing.assert_allclose(net.predict_on_batch(x), out, atol=1e-5)


def test_training_windows_are_fully_observed(data_dir):
    frame = data.load(data_dir)
    sample = training.training_windows(frame)
    assert sample.shape[1:] == (24, 8) and not np.isnan(sample).any()
    assert len(sample) > 2000


def test_every_code_size_is_shipped_small_with_its_card():
    for code in model.CODE_SIZES:
        model_path, card_path = training.shipped_paths(code)
        assert model_path.stat().st_size < 400_000
        net, card = training.load_shipped(code)
        assert card.code_size == code == model.code_size(net)
        assert card.training == asdict(training.Recipe())  # what its command trains with
        assert "python -m core train sequence-autoencoder" in card.command
        assert card.data_sha256["air_quality/AirQualityUCI.csv"]


def test_the_shipped_model_beats_half_the_baseline_as_its_card_says(data_dir):
    model, card = training.load_shipped(16)
    result = training.score_file(model, card, data_dir=data_dir)
    recorded = card.validation
    assert result["windows"] == recorded["windows"] == 61
    assert result["mse"] == pytest.approx(recorded["mse"], rel=1e-3)
    assert result["baseline_mse"] == pytest.approx(recorded["baseline_mse"], rel=1e-4)
    assert result["mse"] <= 0.5 * result["baseline_mse"]
    assert [d["date"] for d in result["worst_days"]] == [
        d["date"] for d in recorded["worst_days"]]


def test_the_shipped_model_finds_injected_faults_as_its_card_says(data_dir):
    """Stuck sensors and ±4 sd spikes on the clean validation days, over the 99th percentile of
    those days' fault scores: the card's figures, recomputed, meet the issue's 95%."""
    net, card = training.load_shipped(16)
    stats, _, typical = training.card_stats(card)
    train, val = windows.split(windows.days(data.load(data_dir)))
    units = scoring.FaultUnits.of(net, train.x[train.missing_share() == 0], stats)
    np.testing.assert_allclose(units.still, training.card_units(card).still, rtol=1e-3)
    found = scoring.detection(net, val.x[val.missing_share() == 0], stats, typical, units)
    recorded = card.metrics["faults"]
    assert found["clean_days"] == recorded["clean_days"] == 56
    assert found["fault"]["threshold"] == pytest.approx(recorded["fault"]["threshold"], rel=1e-3)
    for kind in ("stuck", "spike", "spike_x2"):
        assert found["fault"][kind] == pytest.approx(recorded["fault"][kind], abs=0.02)
        assert found["fault"][kind] >= 0.95


def test_a_smaller_code_rebuilds_worse():
    errors = [training.load_shipped(c)[1].validation["mse"]
              for c in model.CODE_SIZES]
    assert errors[0] > errors[-1]


# --- the evaluate command -------------------------------------------------------------------------

def _evaluate(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "core", "evaluate", "sequence-autoencoder",
                           *args], cwd=ROOT, capture_output=True, text=True, timeout=300)


def test_evaluate_scores_every_complete_day_of_a_file(tmp_path):
    path = tmp_path / "mine.csv"
    path.write_text(uci_text("2005-01-03 12:00", 12 + 24 * 3, missing={40}))
    done = _evaluate("--data", str(path))
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["windows"] == 3 and result["skipped_days"] == 1
    assert result["mse"] > 0 and result["baseline_mse"] > 0
    assert len(result["worst_days"]) == 3 and all(d["notes"] for d in result["worst_days"])


def test_evaluate_refuses_a_file_with_no_complete_day(tmp_path):
    path = tmp_path / "short.csv"
    path.write_text(uci_text("2005-01-03 12:00", 20))
    done = _evaluate("--data", str(path))
    assert done.returncode == 2
    assert "no day in the file has all 24 hourly rows" in done.stderr


def test_evaluate_refuses_a_malformed_file(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("a,b,c\n1,2,3\n")
    done = _evaluate("--data", str(path))
    assert done.returncode == 2 and "separates values with `;`" in done.stderr


# --- sentences ------------------------------------------------------------------------------------

def test_the_language_is_what_the_babi_statements_say(data_dir):
    said, _ = sentences.statements(data_dir)
    assert set(said) == set(sentences.language())


def test_vocabulary_encodes_pads_and_reports_unknown_words():
    vocab = sentences.Vocabulary.build([("mary", "went", "home"), ("john", "went")])
    assert vocab.words[0] == "" and vocab.length == 3
    ids = vocab.encode([("john", "flew", "went", "home", "again")])
    assert [vocab.words[i] for i in ids[0]] == ["john", "went", "home"]
    assert vocab.unknown(["john", "flew"]) == ["flew"]


def test_the_shipped_sentence_model_round_trips_training_sentences():
    model, vocab, card = sentences.load_shipped()
    said = sentences.language()
    train, held = sentences.split(sorted(said))
    for words in (train[0], train[100], train[-1], held[0]):
        trip = sentences.trip(model, vocab, " ".join(words).title() + ".")
        assert trip.rebuilt == words and trip.words == words and not trip.unknown
        assert trip.code.shape == (card.code_size,)
        assert trip.steps[len(words)][0][0] == ""  # the padding word: the sentence is over
    assert card.metrics["train"]["exact"] >= 0.99


def test_unknown_words_are_left_out_and_named():
    model, vocab, _ = sentences.load_shipped()
    trip = sentences.trip(model, vocab, "Mary quickly moved to the bathroom")
    assert trip.unknown == ["quickly"]
    assert trip.words == ("mary", "moved", "to", "the", "bathroom")


def test_nearest_sentences_start_with_the_sentence_itself():
    model, vocab, _ = sentences.load_shipped()
    said = sentences.language()
    codes = sentences.codes(model, vocab, said)
    near, distance = sentences.nearest(codes, codes[7], k=3)
    assert near[0] == 7 and distance[0] == pytest.approx(0, abs=1e-5)
    assert distance[1] >= distance[0]


def test_bench_prints_the_pages_timings():
    done = subprocess.run([sys.executable, "-m", "core", "bench", "sequence-autoencoder",
                           "--repeats", "2"], cwd=ROOT, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr
    timings = json.loads(done.stdout.strip().splitlines()[-1])
    assert timings["rebuild_one_day_ms"] > 0 and timings["sentence_round_trip_ms"] > 0
    assert timings["rebuild_296_days_ms"] > 0


# --- what the page draws --------------------------------------------------------------------------

def test_calendar_and_its_chart():
    days = [{"date": "2004-10-31", "mse": 0.2, "missing": 0.0},
            {"date": "2004-11-01", "mse": 0.5, "missing": 0.25}]
    cal = view.calendar(days)
    assert list(cal["split"]) == ["training", "validation"] and list(cal["weekday"]) == [
        "Sun", "Mon"]
    assert list(cal["missing %"]) == [0.0, 25.0]
    spec = view.calendar_chart(cal).to_dict()
    assert spec["params"][0]["name"] == "day"  # the page reads the clicked date under this name
    assert view.share_below(0.3, [0.1, 0.2, 0.4, 0.5]) == 50.0 and view.share_below(1, []) == 0


def test_code_sizes_table_and_chart_from_the_shipped_cards():
    cards = {c: training.load_shipped(c)[1] for c in model.CODE_SIZES}
    sizes = view.code_sizes(cards)
    assert list(sizes["code size"]) == list(model.CODE_SIZES)
    assert list(sizes["validation mse"]) == [cards[c].validation["mse"] for c in model.CODE_SIZES]
    bars, baseline = view.code_sizes_chart(sizes).to_dict()["layer"]
    top = bars["encoding"]["y"]["scale"]["domain"][1]
    assert top >= sizes[["validation mse", "baseline mse"]].max().max()
    table = view.shipped_table(cards, sentences.load_shipped()[2])
    assert len(table) == len(cards) + 1 and table["command"].str.startswith("python -m core").all()


def test_score_strip_and_small_tables():
    result = {"scores": {"clean": [0.1, 0.2], "spike": [3.0]}, "threshold": 0.5}
    labels = {"clean": "clean days", "spike": "spikes"}
    spec = view.score_strip_chart(result, labels, "peak").to_dict()
    ticks, rule = spec["layer"]
    assert ticks["encoding"]["y"]["sort"] == ["clean days", "spikes"]
    assert spec["datasets"][rule["data"]["name"]] == [{"t": 0.5}]
    notes = [scoring.note(scoring.HOLIDAYS["2004-12-25"]), scoring.note("{hours} hour(s)",
                                                                       hours=3)]
    worst = view.worst_days_table({"worst_days": [{"date": "2004-12-25", "mse": 1.0,
                                                   "notes": notes}]})
    assert worst.loc[0, "notes"] == "Christmas Day and 3 hour(s)"
    steps = view.choices_table([[("mary", 0.9), ("", 0.1)]])
    assert steps.to_dict("records") == [{"position": 1, "choice 1": "mary (90%)",
                                         "choice 2": "(end) (10%)"}]
    bars = view.code_chart(np.array([0.5, -0.25])).to_dict()
    assert bars["encoding"]["x"]["title"] == "the code (2 numbers)"
