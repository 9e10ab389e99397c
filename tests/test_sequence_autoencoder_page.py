"""The Sequence autoencoders page in AppTest: calendar, day curves, code size, faults, upload,
sentences; and the same page on a machine with no data."""

import pytest

from core import i18n
from core.sequence_autoencoder import sentences, training, view, windows
from tests.helpers import open_page
from tests.test_sequence_autoencoder_core import uci_text

PAGE = "pages/sequence_autoencoders.py"


def metric(at, start: str):
    return next(m for m in at.metric if m.label.startswith(start))


@pytest.fixture
def page(app, data_dir):
    return open_page(app, PAGE)


@pytest.fixture
def bare_page(app, no_data):
    """The page on a fresh clone: no data; uploads and sentences need none."""
    return open_page(app, PAGE)


def test_a_day_and_a_code_size_show_that_days_error(page):
    assert page.selectbox(key="sa_day").value.startswith("2004-1")  # the worst validation day
    page.selectbox(key="sa_day").select("2004-12-15").run()
    assert not page.exception
    sixteen = float(metric(page, "This day's error").value)
    page.select_slider(key="sa_code").set_value(2).run()
    assert not page.exception
    two = float(metric(page, "This day's error").value)
    assert two != sixteen
    assert any("With each code size" in c.value for c in page.caption)


def test_breaking_a_day_raises_its_error(page):
    page.selectbox(key="sa_fault_day").select("2004-11-10").run()
    page.radio(key="sa_fault").set_value("spike").run()
    page.selectbox(key="sa_fault_channel").select("T").run()
    assert not page.exception
    broken = next(m for m in page.metric if m.label.startswith("with a spike"))
    assert float(broken.delta) > 0
    page.radio(key="sa_fault").set_value("stuck").run()
    assert not page.exception
    stuck = next(m for m in page.metric if m.label.startswith("with T stuck for 12 hours"))
    assert float(stuck.delta) > 0  # the fault score sees a still reading
    assert any("this fault is **found**" in m.value for m in page.markdown)


def test_the_unusual_days_and_the_fault_figures_are_tabled(page):
    tables = [d.value for d in page.dataframe]
    unusual = next(t for t in tables if "what the data shows" in t.columns)
    assert len(unusual) == 12 and unusual["what the data shows"].str.len().min() > 0
    assert any(m.value.startswith("**Outages**: on Apr 9, 2004") for m in page.markdown)
    found = next(m.value for m in page.markdown if m.value.startswith("Above the dashed line"))
    assert "stuck sensors **100%**" in found  # the default score: the card's fault figures
    page.radio(key="sa_score").set_value("mse").run()
    assert not page.exception
    assert next(m.value for m in page.markdown
                if m.value.startswith("Above the dashed line")) != found


def test_an_uploaded_file_gets_its_days_scored(bare_page):
    good = uci_text("2005-01-03", 24 * 3).encode()
    bare_page.file_uploader(key="sa_upload").upload("mine.csv", good, "text/csv").run()
    assert not bare_page.exception
    assert metric(bare_page, "Complete days").value == "3"


def test_a_bad_upload_gets_a_clear_message(bare_page):
    short = uci_text("2005-01-03 05:00", 10).encode()
    bare_page.file_uploader(key="sa_upload").upload("short.csv", short, "text/csv").run()
    assert not bare_page.exception
    assert any("no day in the file has all 24 hourly rows" in e.value for e in bare_page.error)


def test_a_sentence_round_trips_and_unknown_words_are_named(bare_page):
    bare_page.text_input(key="sa_sentence").input("Sandra journeyed to the garden.").run()
    assert not bare_page.exception
    assert any("rebuilt: **sandra journeyed to the garden**" in m.value for m in bare_page.markdown)
    bare_page.text_input(key="sa_sentence").input("sandra flew to the garden").run()
    assert any("**flew**" in w.value for w in bare_page.warning)


def test_without_data_the_page_explains_and_keeps_what_the_cards_allow(app, no_data):
    at = open_page(app, PAGE)
    assert any("not available on this machine" in i.value for i in at.info)
    assert any("need the Air Quality file" in i.value for i in at.info)
    assert float(metric(at, "This day's error").value) > 0  # scores come from the card
    assert any("what the data shows" in d.value.columns for d in at.dataframe)
    assert any("rebuilt: **mary moved to the bathroom**" in m.value for m in at.markdown)


def test_the_page_opens_with_the_books_example_and_anchors_every_section(bare_page):
    assert [h.proto.anchor for h in bare_page.header] == [
        "the-books-example", "sentence-autoencoder", "every-day", "code-size", "unusual-days",
        "anomaly-score", "your-own-file"]
    assert [h.proto.anchor for h in bare_page.subheader] == ["nearby-sentences", "break-a-day"]
    book = next(m.value for m in bare_page.markdown if "`lstm_autoencoder.py`" in m.value)
    assert "GloVe" in book and "k-means" in book and "**encoder alone**" in book
    assert any("A reader asks" in m.value and "decoder the finished product" in m.value
               for m in bare_page.markdown)


def test_the_figures_in_the_prose_are_the_cards(bare_page):
    said = " ".join(m.value for m in [*bare_page.markdown, *bare_page.caption])
    sentence_card = sentences.load_shipped()[2]
    split, validation = sentence_card.split, sentence_card.validation
    assert (f"a small language of {split['train'] + split['validation']} distinct sentences "
            f"over {sentence_card.vocabulary} words") in said
    assert (f"{validation['sentences']} sentences were held out of training: "
            f"{validation['exact']:.0%} of them") in said
    card = training.load_shipped(16)[1]
    first, last = (i18n.date(day) for day in card.split["train"])
    assert f"Trained on the days from {first} to {last}" in said
    ratio = card.validation["baseline_mse"] / card.validation["mse"]
    assert f"With 16 numbers the autoencoder's error is {card.validation['mse']:.2f}, " \
           f"{ratio:.0f}× smaller" in said
    in_validation = sum(d["date"] >= card.split["validation"][0] for d in card.unusual_days)
    assert f"{in_validation} of them fall in the validation months" in said
    sharpest = view.sharpest_clean_day(card.days)
    jump = f"a real sudden jump on {i18n.date(sharpest['date'])} (peak {sharpest['peak']:.0f})"
    assert jump in said
    assert not any("drift" in c.value for c in bare_page.caption)  # claimed only when measured


def test_the_drift_is_measured_on_the_data_before_it_is_claimed(page, data_dir):
    from core.air_quality import data

    outside = windows.outside_training_range(*windows.split(windows.days(data.load(data_dir))))
    drift = next(c.value for c in page.caption if "**drift**" in c.value)
    assert f"on {outside['outside']} of the {outside['days']} validation days" in drift
    assert view.drift_words(outside) in drift
