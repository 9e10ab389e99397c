"""The benzene models: inputs in raw units, missing values, saving, metrics, the CLI."""

import json
from dataclasses import asdict
from pathlib import Path

import keras
import numpy as np
import pandas as pd
import pytest

from core import cards, datasets
from core.air_quality import baselines, data, model, training, view
from core.air_quality.model import FillMissing, build, evaluate, fit, metrics, predict
from core.cli import main

FIXTURES = Path(__file__).parent / "fixtures" / "air_quality"


@pytest.fixture(scope="module")
def small() -> pd.DataFrame:
    return data.parse(FIXTURES / "small.csv")


def test_fill_missing_replaces_nan_and_the_minus_200_marker():
    layer = FillMissing([1.0, 2.0, 3.0])
    x = np.array([[np.nan, -200.0, 7.0], [4.0, 5.0, -200.0]], dtype="float32")
    np.testing.assert_allclose(np.asarray(layer(x)), [[1, 2, 7], [4, 5, 3]])


@pytest.mark.parametrize("kind", ["all", "sensors"])
def test_model_takes_raw_units_and_keeps_training_means_inside(small, kind, tmp_path):
    columns = data.FEATURE_SETS[kind]
    train, validation = data.split(small)
    model = build(columns, train)
    assert model.input_shape == (None, len(columns)) and model.output_shape == (None, 1)
    fill = model.get_layer("fill_missing").values
    assert fill == pytest.approx([train[c].mean() for c in columns])
    # untrained, the output sits near the training mean, in µg/m³ (the Rescaling layer)
    assert abs(predict(model, validation, columns).mean() - train[data.TARGET].mean()) < 10
    model.save(tmp_path / "m.keras")
    loaded = keras.saving.load_model(tmp_path / "m.keras")
    np.testing.assert_allclose(predict(loaded, validation, columns),
                               predict(model, validation, columns), rtol=1e-6)


def test_missing_inputs_predict_like_their_training_means(small):
    train, validation = data.split(small)
    columns = data.ALL_INPUTS
    model = build(columns, train)
    holes = validation.copy()
    holes["NOx(GT)"] = np.nan
    filled = validation.assign(**{"NOx(GT)": train["NOx(GT)"].mean()})
    np.testing.assert_allclose(predict(model, holes, columns), predict(model, filled, columns),
                               rtol=1e-6)


def test_the_key_sensor_gets_its_own_branch_only_when_asked(small):
    train, _ = data.split(small)
    names = {layer.name for layer in build(data.SENSOR_INPUTS, train).layers}
    assert {"curve_out", "context_out", "key_sensor"} <= names
    plain = {layer.name for layer in build(data.SENSOR_INPUTS, train, key_branch=False).layers}
    assert "curve_out" not in plain and "dense_out" in plain


def test_a_short_fit_lowers_the_training_error(small):
    train, _ = data.split(small)
    model = build(data.SENSOR_INPUTS, train, units=(8,))
    before = evaluate(model, train, data.SENSOR_INPUTS)["rmse"]
    fit(model, data.SENSOR_INPUTS, train, epochs=30, batch_size=5, learning_rate=1e-2)
    assert evaluate(model, train, data.SENSOR_INPUTS)["rmse"] < before


def test_metrics_match_their_definitions():
    m = metrics(np.array([1.0, 2.0, 3.0]), np.array([1.0, 2.0, 5.0]))
    assert m["rows"] == 3
    assert m["rmse"] == pytest.approx(np.sqrt(4 / 3))
    assert m["mae"] == pytest.approx(2 / 3)
    assert m["r2"] == pytest.approx(1 - 4 / 2)


def test_least_squares_recovers_an_exactly_linear_target(small):
    frame = small.dropna(subset=["PT08.S2(NMHC)", "T"]).copy()
    frame[data.TARGET] = 2 * frame["PT08.S2(NMHC)"] - 3 * frame["T"] + 5
    train, validation = data.split(frame)
    result = baselines.linear(train, validation, ["PT08.S2(NMHC)", "T"])
    assert result["rmse"] < 1e-3  # inputs travel as float32


def test_sweep_and_its_chart(small):
    train, _ = data.split(small)
    model = build(data.SENSOR_INPUTS, train)
    values = {c: float(train[c].iloc[0]) for c in data.SENSOR_INPUTS}
    curve = view.sweep(model, values, data.SENSOR_INPUTS, "T", 0.0, 30.0, points=7)
    assert list(curve["T"]) == pytest.approx(np.linspace(0, 30, 7))
    assert curve["benzene"].notna().all()
    spec = view.sweep_chart(curve, "T", 12.0, 3.0).to_dict()
    line, dot = spec["layer"]
    assert line["encoding"]["x"]["field"] == "value"  # no dotted field names for Vega-Lite
    assert line["encoding"]["x"]["title"] == "T (°C)"
    assert [v["value"] for v in spec["datasets"][dot["data"]["name"]]] == [12.0]


def test_clamp_puts_a_value_on_its_slider():
    ranges = {"T": {"min": -1.0, "median": 18.0, "max": 40.0},
              "PT08.S2(NMHC)": {"min": 500.0, "median": 900.0, "max": 2000.0}}
    fill = {"T": 17.94, "PT08.S2(NMHC)": 901.4}
    assert view.clamp("T", 21.26, ranges, fill) == pytest.approx(21.3)  # on the 0.1 step
    assert view.clamp("T", 99.0, ranges, fill) == 40.0  # inside the range
    assert view.clamp("T", None, ranges, fill) == pytest.approx(17.9)  # not measured: the mean
    assert view.clamp("PT08.S2(NMHC)", 812.6, ranges, fill) == 813.0  # sensors: whole numbers
    assert view.slider_format("T") == "%.1f" and view.slider_format("AH") == "%.2f"


def test_charts_of_the_validation_months():
    hours = pd.date_range("2004-11-01", periods=4, freq="h")
    frame = pd.DataFrame({"time": hours, "actual": [1.0, 2.0, 3.0, 4.0],
                          "predicted": [1.5, 2.0, 2.5, 4.0]}).assign(
        residual=lambda f: f["predicted"] - f["actual"])
    series = view.validation_chart(frame).to_dict()
    rows = next(iter(series["datasets"].values()))
    assert len(rows) == 8 and {r["series"] for r in rows} == {"actual", "predicted"}
    assert view.residuals_chart(frame).to_dict()["encoding"]["x"]["bin"] == {"maxbins": 60}
    history = pd.DataFrame({"epoch": [1, 2], "training": [3.0, 2.0], "validation": [3.5, 2.5]})
    loss = view.loss_chart(history, epochs=20).to_dict()
    assert loss["encoding"]["x"]["scale"]["domain"] == [1, 20]
    cdf = view.benzene_cdf_chart(list(np.linspace(0, 50, 101)), 10.0).to_dict()
    assert len(cdf["layer"]) == 2


def test_train_your_own_reports_history_in_micrograms(small):
    seen = []
    result = training.train_your_own(small, data.SENSOR_INPUTS, units=4, epochs=2,
                                     optimizer="sgd", initializer="he_normal",
                                     curve_branch=False,
                                     on_epoch=lambda e, logs: seen.append(logs))
    assert len(seen) == 2 and len(result["history"]) == 2
    assert set(seen[0]) >= {"loss", "val_loss"}
    assert result["validation"]["rows"] == 4


def test_cli_evaluate_prints_json_last(small, capsys):
    code = main(["evaluate", "air-quality", "--model", "sensors",
                 "--data", str(FIXTURES / "small.csv")])
    assert code == 0
    result = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert set(result) == {"model", "rows", "rmse", "mae", "r2"}
    assert result["model"] == "sensors" and result["rows"] == 9  # rows with a benzene reading
    model, card = training.load_shipped("sensors")
    assert result["rmse"] == pytest.approx(evaluate(model, small, card.inputs)["rmse"])


def test_cli_evaluate_names_what_is_wrong_with_a_file(capsys):
    code = main(["evaluate", "air-quality", "--model", "all",
                 "--data", str(FIXTURES / "missing_column.csv")])
    assert code == 2
    assert "missing column(s): T" in capsys.readouterr().err


@pytest.mark.parametrize("kind", ["all", "sensors"])
def test_shipped_model_reaches_its_card_on_the_shared_data(data_dir, kind):
    model, card = training.load_shipped(kind)
    path = datasets.locate("air-quality", data_dir)
    assert card.data_sha256["air_quality/AirQualityUCI.csv"] == datasets.sha256_of(path)
    _, validation = data.split(data.parse(path))
    result = evaluate(model, validation, card.inputs)
    expected = card.validation
    assert result["rows"] == expected["rows"]
    assert result["rmse"] <= expected["rmse"] * 1.02 + 1e-4
    assert result["rmse"] <= {"all": 0.20, "sensors": 0.25}[kind]


@pytest.mark.parametrize("kind", ["all", "sensors"])
def test_shipped_cards_say_how_to_remake_them(kind):
    card = cards.read_card(training.shipped_paths(kind)[1], training.BenzeneCard)
    assert card.command == f"python -m core train air-quality --model {kind}"
    assert card.training == asdict(training.Recipe())  # what that command trains with
    assert card.inputs == list(data.FEATURE_SETS[kind])
    assert card.parameters > 0 and card.training_seconds > 0
    assert training.shipped_paths(kind)[0].stat().st_size < 2_000_000
    assert "linear" in card.baselines and "book_network_clean" in card.baselines


def test_the_cli_trains_a_tiny_model_into_a_folder(data_dir, tmp_path, capsys):
    code = main(["train", "air-quality", "--model", "sensors", "--epochs", "1",
                 "--no-baselines", "--out", str(tmp_path), "--data-dir", str(data_dir)])
    assert code == 0
    card = cards.read_card(tmp_path / "sensors.json", training.BenzeneCard)
    assert "--data-dir" not in card.command
    assert card.presets and len(card.benzene_percentiles) == 101
    assert card.training == {**asdict(training.Recipe()), "epochs": 1}  # what was used
    model, _ = training.load_shipped("sensors", tmp_path)
    assert model.input_shape == (None, len(data.SENSOR_INPUTS))


class _Job:  # what core.jobs hands to queued work
    def __init__(self):
        self.reports = []

    def check(self):
        pass

    def report(self, fraction, text, preview=None):
        self.reports.append((fraction, text, preview))


def test_the_queued_training_reports_each_epoch_as_data(small):
    job = _Job()
    work = training.train_your_own_work(small, "sensors", units=4, epochs=2, optimizer="sgd",
                                        initializer="he_normal", curve_branch=False)
    own = work(job)
    assert own["inputs"] == "sensors" and len(own["history"]) == 2
    assert [(f, t) for f, t, __ in job.reports] == [(0.5, ""), (1.0, "")]  # words: the page's
    assert [len(seen) for __, __, seen in job.reports] == [1, 2]
    assert list(job.reports[-1][2].columns) == ["epoch", "training", "validation"]


def test_zero_initialized_relu_units_get_no_gradient_and_only_the_output_bias_moves(small):
    """What the Regression page says of the `zeros` initializer (without the S2 branch)."""
    train, validation = data.split(small)
    columns = data.SENSOR_INPUTS
    net = build(columns, train, units=(4,), activation="relu", initializer="zeros",
                key_branch=False)
    before = {w.path: np.array(w.numpy()) for w in net.trainable_weights}
    fit(net, columns, train, validation, epochs=5, batch_size=2, optimizer="adam",
        learning_rate=0.05)
    after = {w.path: np.array(w.numpy()) for w in net.trainable_weights}
    moved = {path for path in before if not np.array_equal(before[path], after[path])}
    assert moved == {"dense_out/bias"}
    assert not after["dense_0/kernel"].any() and not after["dense_0/bias"].any()
    assert np.ptp(predict(net, validation, columns)) == 0  # one number for every hour
    # and with a random start the same units do learn
    net = build(columns, train, units=(4,), activation="relu", initializer="he_normal",
                key_branch=False)
    kernel = np.array(net.get_layer("dense_0").kernel.numpy())
    fit(net, columns, train, validation, epochs=5, batch_size=2, learning_rate=0.05)
    assert not np.array_equal(kernel, net.get_layer("dense_0").kernel.numpy())


def test_an_uploaded_file_is_scored_by_every_model(small):
    models = {kind: training.load_shipped(kind) for kind in training.MODELS}
    scores = model.score_file((FIXTURES / "small.csv").read_bytes(), models)
    assert [row["model"] for row in scores] == list(training.MODELS)
    for row in scores:
        net, card = models[row["model"]]
        assert row == {"model": row["model"], **evaluate(net, small, card.inputs)}
    with pytest.raises(data.AirQualityFormatError, match="missing column"):
        model.score_file((FIXTURES / "missing_column.csv").read_bytes(), models)


def test_swings_measure_how_far_each_input_moves_the_prediction(small):
    train, __ = data.split(small)
    net = build(data.SENSOR_INPUTS, train)
    values = {c: float(train[c].iloc[0]) for c in data.SENSOR_INPUTS}
    ranges = data.input_ranges(small, data.SENSOR_INPUTS)
    moves = view.swings(net, values, data.SENSOR_INPUTS, ranges, points=9)
    assert sorted(moves["input"]) == sorted(data.SENSOR_INPUTS)
    assert moves["swing"].is_monotonic_decreasing and (moves["swing"] >= 0).all()
    t = view.sweep(net, values, data.SENSOR_INPUTS, "T", ranges["T"]["min"],
                   ranges["T"]["max"], 9)["benzene"]
    assert moves.set_index("input").loc["T", "swing"] == pytest.approx(t.max() - t.min())


def test_metrics_that_cannot_be_computed_are_said_once():
    nan = float("nan")
    scores = [{"rows": 1, "rmse": 0.5, "mae": 0.5, "r2": nan},
              {"rows": 1, "rmse": 0.7, "mae": 0.7, "r2": nan}]
    lines = view.not_computed_lines(scores)
    assert len(lines) == 1 and lines[0].startswith("R² cannot be computed for this file: ")
    assert view.not_computed_lines([{"rows": 9, "rmse": 1.0, "mae": 1.0, "r2": 0.9}]) == []
