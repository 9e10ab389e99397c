"""The Regression page in AppTest: tune, preset, sweep, a tiny training, and no data at all."""

import pytest

from core import cards
from core.air_quality import training
from tests.helpers import finish_jobs, open_page, open_page_in

PAGE = "pages/regression.py"
S2 = "aq_in_PT08.S2(NMHC)"


def prediction(at) -> float:
    metric = next(m for m in at.metric if m.label == "Predicted benzene")
    return float(metric.value.split()[0])


@pytest.fixture
def page(app):
    return open_page(app, PAGE)


def test_moving_an_input_moves_the_prediction(page, data_dir):
    page.radio(key="aq_model").set_value("sensors").run()
    inputs = cards.read_card(training.shipped_paths("sensors")[1], training.BenzeneCard).inputs
    tuned = {s.key for s in page.slider if s.key.startswith("aq_in_")}
    assert tuned == {f"aq_in_{c}" for c in inputs}  # one control per input of the model
    page.slider(key=S2).set_value(700.0).run()
    low = prediction(page)
    page.slider(key=S2).set_value(1500.0).run()
    assert not page.exception
    assert prediction(page) > low + 5  # benzene rises steeply with sensor S2


def test_a_preset_loads_a_real_hour_and_its_measurement(page, data_dir):
    card = cards.read_card(training.shipped_paths("all")[1], training.BenzeneCard)
    name, preset = next(iter(card.presets.items()))
    page.selectbox(key="aq_preset").select(name).run()
    assert not page.exception
    assert page.slider(key=S2).value == preset["values"]["PT08.S2(NMHC)"]
    assert prediction(page) == pytest.approx(preset["benzene"], abs=1.0)
    assert any(f"{preset['benzene']:.1f} µg/m³" in c.value for c in page.caption)
    # the analyzer inputs survive a detour through the model that does not show them
    page.radio(key="aq_model").set_value("sensors").run()
    page.radio(key="aq_model").set_value("all").run()
    assert page.slider(key="aq_in_NO2(GT)").value == preset["values"]["NO2(GT)"]
    assert page.slider(key=S2).value == preset["values"]["PT08.S2(NMHC)"]


def test_the_sweep_and_the_comparison_table_render(page, data_dir):
    page.selectbox(key="aq_sweep").select("T").run()
    assert not page.exception
    table = page.dataframe[0].value
    assert {"least squares", "book's recipe (Japanese edition's code)"} <= set(table["model"])
    shipped = table[table["model"].str.startswith("shipped")]
    assert (shipped["rmse"] < table[table["model"] == "least squares"]["rmse"].min()).all()


def test_the_figures_in_the_prose_are_the_cards(app, no_data):
    at = open_page(app, PAGE)
    card = cards.read_card(training.shipped_paths("all")[1], training.BenzeneCard)
    recipe = card.baselines["book_recipe"]
    text = " ".join(m.value for m in at.markdown)
    for figure in (f"R² {recipe['test_all_rows']['r2']:.4f}",
                   f"RMSE {recipe['test_all_rows']['rmse']:.2f} µg/m³",
                   f"against {card.validation['rmse']:.3f}",
                   f"{recipe['missing_targets_in_test']} hours",
                   f"R² {recipe['test_rows_with_reading']['r2']:.3f}",
                   "on Nov 1, 2004 – Dec 31, 2004", f"all {len(card.inputs)} readings"):
        assert figure in text, figure
    assert card.split["validation"][0].startswith("2004-11-01")
    assert card.split["validation"][1].startswith("2004-12-31")
    assert "0.8 MB" not in text
    assert at.slider(key="aq_in_AH").label == "AH"  # UCI gives AH no unit: none is claimed


def test_a_tiny_training_run_reports_its_score(page, data_dir):
    page.slider(key="aq_epochs").set_value(1)
    page.slider(key="aq_units").set_value(4)
    page.button(key="aq_train_go").click().run()
    assert not page.exception
    finish_jobs(page)
    mine = next(m for m in page.metric if m.label == "Your validation RMSE")
    assert "µg/m³" in mine.value and "vs shipped" in mine.delta


def test_the_sensitivity_bars_rank_every_input(page, data_dir):
    page.radio(key="aq_model").set_value("sensors").run()
    assert not page.exception
    caption = next(c.value for c in page.caption if "moves it most" in c.value)
    card = cards.read_card(training.shipped_paths("sensors")[1], training.BenzeneCard)
    assert any(f"**{column}** moves it most" in caption for column in card.inputs)


def test_without_data_tuning_still_works_and_the_rest_explains(app, no_data):
    at = open_page(app, PAGE)
    assert prediction(at) > 0
    assert any("not available on this machine" in i.value for i in at.info)
    assert len(at.dataframe) == 1  # the comparison comes from the cards
    assert not [b for b in at.button if b.key == "aq_train_go"]


def test_the_page_reads_in_japanese(app, no_data, monkeypatch):
    at, shown = open_page_in(app, PAGE, "ja", monkeypatch)
    assert at.title[0].value == "回帰：安価なセンサーからベンゼンを予測する"
    assert "**回帰**（regression）" in shown
