"""Parsing the UCI Air Quality format, the chronological split, imputation without leakage."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from core.air_quality import data

FIXTURES = Path(__file__).parent / "fixtures" / "air_quality"


@pytest.fixture
def small() -> pd.DataFrame:
    return data.parse(FIXTURES / "small.csv")


def test_parse_reads_decimal_commas_timestamps_and_drops_empty_rows(small):
    assert len(small) == 10  # the two trailing `;;;;` rows are gone
    assert list(small.columns) == list(data.COLUMNS[2:])
    assert small.index[0] == pd.Timestamp("2004-10-31 18:00")
    assert small.index[-1] == pd.Timestamp("2004-11-01 03:00")
    assert small.loc["2004-10-31 18:00", "CO(GT)"] == pytest.approx(2.6)
    assert small.loc["2004-10-31 18:00", "AH"] == pytest.approx(0.7578)
    assert small.loc["2004-10-31 18:00", data.TARGET] == pytest.approx(11.9)


def test_parse_turns_minus_200_and_blank_cells_into_nan(small):
    assert np.isnan(small.loc["2004-10-31 19:00", "NMHC(GT)"])
    assert np.isnan(small.loc["2004-11-01 03:00", "CO(GT)"])  # a blank cell
    assert not (small == data.MISSING).any().any()


def test_parse_accepts_bytes_like_a_path(small):
    from_bytes = data.parse((FIXTURES / "small.csv").read_bytes())
    pd.testing.assert_frame_equal(from_bytes, small)


@pytest.mark.parametrize("name, words", [
    ("comma_separated.csv", "separates values with `;`"),
    ("missing_column.csv", "missing column(s): T"),
    ("all_missing.csv", "every value in the file is missing"),
    ("bad_date.csv", "dd/mm/yyyy"),
])
def test_malformed_files_get_a_message_naming_the_problem(name, words):
    with pytest.raises(data.AirQualityFormatError) as err:
        data.parse(FIXTURES / name)
    assert words in str(err.value)


@pytest.mark.parametrize("content, words", [
    (b"", "empty"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\xff\xfe", "not a text file"),
    ((FIXTURES / "small.csv").read_bytes().replace(b"1360", b"abc"), "PT08.S1(CO)"),
    ((FIXTURES / "small.csv").read_bytes().splitlines()[0], "no data rows"),
])
def test_odd_uploads_get_a_clear_message(content, words):
    with pytest.raises(data.AirQualityFormatError) as err:
        data.parse(content)
    assert words in str(err.value)


def test_split_is_chronological_and_drops_rows_without_a_target(small):
    train, validation = data.split(small)
    assert train.index.max() < data.VALIDATION_START <= validation.index.min()
    assert len(train) == 5 and len(validation) == 4  # 23:00 had no benzene reading
    assert train[data.TARGET].notna().all() and validation[data.TARGET].notna().all()


def test_the_validation_months_end_with_2004_whichever_file_is_used(small):
    """The canonical UCI download runs into 2005: its later hours fall in neither split, so
    'scored on November–December 2004' stays true everywhere."""
    hours = pd.date_range("2004-10-30", "2005-02-01 23:00", freq="h")
    frame = pd.DataFrame({data.TARGET: np.arange(len(hours), dtype=float)}, index=hours)
    train, validation = data.split(frame)
    assert train.index.max() == pd.Timestamp("2004-10-31 23:00")
    assert validation.index.min() == pd.Timestamp("2004-11-01 00:00")
    assert validation.index.max() == pd.Timestamp("2004-12-31 23:00")
    assert len(validation) == 61 * 24  # every hour of November and December, nothing more


def test_absolute_humidity_is_not_in_grams_per_cubic_metre(small):
    """Why the page claims no unit for AH: from T and RH (Magnus formula), the first hour's air
    holds about 5.7 g/m³ of water, while the file says 0.76."""
    hour = small.loc["2004-10-31 18:00"]
    saturation_hpa = 6.112 * np.exp(17.62 * hour["T"] / (243.12 + hour["T"]))
    grams = 216.7 * (hour["RH"] / 100 * saturation_hpa) / (273.15 + hour["T"])
    assert grams == pytest.approx(5.7, abs=0.1)
    assert hour["AH"] < grams / 5  # not the same quantity in g/m³
    assert data.DESCRIPTIONS["AH"][1] is None and data.label("AH") == "AH"
    assert data.label("T") == "T (°C)"


def test_imputation_uses_training_rows_only(small):
    train, validation = data.split(small)
    values = data.imputation_values(train, data.ALL_INPUTS)
    assert values["CO(GT)"] == pytest.approx(np.mean([2.6, 2, 2.2, 1.6]))
    assert values["NMHC(GT)"] == pytest.approx(np.mean([150, 88, 80, 51]))
    assert values["CO(GT)"] != pytest.approx(small["CO(GT)"].mean())  # validation left out
    filled = data.impute(validation, values)
    assert filled.loc["2004-11-01 03:00", "CO(GT)"] == pytest.approx(values["CO(GT)"])
    assert filled.loc["2004-11-01 03:00", "NOx(GT)"] == pytest.approx(values["NOx(GT)"])


def test_imputation_refuses_a_column_with_no_training_reading(small):
    train, _ = data.split(small)
    with pytest.raises(data.AirQualityFormatError, match="NMHC"):
        data.imputation_values(train.assign(**{"NMHC(GT)": np.nan}), data.ALL_INPUTS)


def test_ranges_and_presets_come_from_real_rows(small):
    ranges = data.input_ranges(small, data.ALL_INPUTS)
    for column, r in ranges.items():
        assert r["min"] <= r["median"] <= r["max"], column
    presets = data.presets(small)
    assert presets, "the fixture has night hours"
    for preset in presets.values():
        stamp = pd.Timestamp(preset["time"])
        assert small.loc[stamp, data.TARGET] == preset["benzene"]
