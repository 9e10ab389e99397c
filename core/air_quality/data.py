"""UCI Air Quality: read the original file format, split by time, impute without leakage.

The UCI file is `;`-separated with decimal commas, CRLF line ends, two empty trailing columns,
empty `;;;` rows at the end, a `Date` (dd/mm/yyyy) and a `Time` (HH.MM.SS) column, and `-200`
wherever an analyzer or sensor had no reading. `parse` turns it into a frame indexed by
timestamp with NaN for every missing value; the models fill those with training-split means.
"""

from __future__ import annotations

import io
import os
from pathlib import Path

import numpy as np
import pandas as pd

TARGET = "C6H6(GT)"
MISSING = -200.0
# The book's 12 inputs: every column but the target, in the file's order.
ALL_INPUTS = ("CO(GT)", "PT08.S1(CO)", "NMHC(GT)", "PT08.S2(NMHC)", "NOx(GT)", "PT08.S3(NOx)",
              "NO2(GT)", "PT08.S4(NO2)", "PT08.S5(O3)", "T", "RH", "AH")
# What a cheap device measures: the five metal-oxide sensors and the weather.
SENSOR_INPUTS = ("PT08.S1(CO)", "PT08.S2(NMHC)", "PT08.S3(NOx)", "PT08.S4(NO2)", "PT08.S5(O3)",
                 "T", "RH", "AH")
FEATURE_SETS = {"all": ALL_INPUTS, "sensors": SENSOR_INPUTS}
COLUMNS = ("Date", "Time", *ALL_INPUTS[:3], TARGET, *ALL_INPUTS[3:])

DESCRIPTIONS = {  # column -> (what it is, unit)
    "CO(GT)": ("carbon monoxide, reference analyzer", "mg/m³"),
    "PT08.S1(CO)": ("tin-oxide sensor S1, nominally CO", "sensor response"),
    "NMHC(GT)": ("non-methane hydrocarbons, reference analyzer", "µg/m³"),
    "C6H6(GT)": ("benzene, reference analyzer", "µg/m³"),
    "PT08.S2(NMHC)": ("titania sensor S2, nominally NMHC", "sensor response"),
    "NOx(GT)": ("nitrogen oxides, reference analyzer", "ppb"),
    "PT08.S3(NOx)": ("tungsten-oxide sensor S3, nominally NOx", "sensor response"),
    "NO2(GT)": ("nitrogen dioxide, reference analyzer", "µg/m³"),
    "PT08.S4(NO2)": ("tungsten-oxide sensor S4, nominally NO2", "sensor response"),
    "PT08.S5(O3)": ("indium-oxide sensor S5, nominally O3", "sensor response"),
    "T": ("temperature", "°C"),
    "RH": ("relative humidity", "%"),
    "AH": ("absolute humidity", "g/m³"),
}

# The largest reading in the UCI file is under 3,000. Far larger numbers are corrupt, and
# would overflow the models' float32 arithmetic into infinities and NaN scores.
PLAUSIBLE = 1e9

# Train on March to October 2004, validate on November and December (the file's last months).
VALIDATION_START = pd.Timestamp("2004-11-01")


class AirQualityFormatError(ValueError):
    """The file is not in the UCI Air Quality format; the message says what is wrong."""


def load(data_dir: str | os.PathLike | None = None) -> pd.DataFrame:
    """The development data (2004), parsed; raises core.datasets.DataNotFound without it."""
    from core import datasets

    return parse(datasets.locate("air-quality", data_dir))


def parse(source: str | os.PathLike | bytes | io.IOBase) -> pd.DataFrame:
    """A UCI Air Quality file (path, bytes or file object) as a float frame indexed by time.

    Missing values (`-200` or blank) become NaN. Rows that are entirely empty are dropped.
    Raises AirQualityFormatError naming the problem for anything else.
    """
    if isinstance(source, bytes):
        source = io.BytesIO(source)
    elif isinstance(source, (str, os.PathLike)):
        source = Path(source)
    try:
        raw = pd.read_csv(source, sep=";", dtype=str, keep_default_na=False,
                          skip_blank_lines=True, encoding="utf-8-sig")
    except UnicodeDecodeError as err:
        raise AirQualityFormatError("this is not a text file (it is not UTF-8 or ASCII)") from err
    except pd.errors.EmptyDataError as err:
        raise AirQualityFormatError("the file is empty") from err
    except pd.errors.ParserError as err:
        raise AirQualityFormatError(f"the file could not be read as `;`-separated text: "
                                    f"{err}") from err
    raw.columns = [str(c).strip() for c in raw.columns]
    raw = raw.loc[:, [c for c in raw.columns if c and not c.startswith("Unnamed:")]]
    _check_columns(raw)
    raw = raw.apply(lambda col: col.str.strip())
    raw = raw[(raw != "").any(axis=1)]  # the trailing `;;;;` rows
    if raw.empty:
        raise AirQualityFormatError("the file has a header but no data rows")

    index = _timestamps(raw["Date"], raw["Time"])
    frame = pd.DataFrame({c: _numbers(raw[c], c) for c in COLUMNS[2:]})
    frame.index = pd.DatetimeIndex(index, name="time")
    frame = frame.mask(frame == MISSING)
    if frame.isna().all().all():
        raise AirQualityFormatError("every value in the file is missing (-200 or blank)")
    return frame


def _check_columns(raw: pd.DataFrame) -> None:
    if len(raw.columns) <= 1:
        raise AirQualityFormatError(
            "only one column was found: the UCI Air Quality file separates values with `;` "
            f"(header read: {str(raw.columns[0])[:60]!r})")
    missing = [c for c in COLUMNS if c not in raw.columns]
    if missing:
        raise AirQualityFormatError(f"missing column(s): {', '.join(missing)}")


def _timestamps(dates: pd.Series, times: pd.Series) -> pd.Series:
    stamp = pd.to_datetime(dates + " " + times, format="%d/%m/%Y %H.%M.%S", errors="coerce")
    bad = stamp.isna()
    if bad.any():
        row = bad.to_numpy().argmax()
        raise AirQualityFormatError(
            f"{int(bad.sum())} row(s) have a Date/Time not in the form dd/mm/yyyy;HH.MM.SS "
            f"(first: {dates.iloc[row]!r};{times.iloc[row]!r})")
    return stamp


def _numbers(column: pd.Series, name: str) -> pd.Series:
    """Decimal commas (the UCI file) or points; blank cells become NaN."""
    values = pd.to_numeric(column.str.replace(",", ".", regex=False).replace("", None),
                           errors="coerce")
    bad = values.isna() & (column != "")
    if bad.any():
        raise AirQualityFormatError(
            f"column {name} has {int(bad.sum())} value(s) that are not numbers "
            f"(first: {column[bad].iloc[0]!r})")
    wild = ~values.abs().le(PLAUSIBLE) & values.notna()
    if wild.any():
        raise AirQualityFormatError(
            f"column {name} has {int(wild.sum())} value(s) that are not plausible readings "
            f"(infinite, or beyond ±{PLAUSIBLE:g}; first: {column[wild].iloc[0]!r})")
    return values.astype("float64")


def with_target(frame: pd.DataFrame) -> pd.DataFrame:
    """Only the rows where the benzene analyzer has a reading."""
    return frame[frame[TARGET].notna()]


def split(frame: pd.DataFrame, start: pd.Timestamp = VALIDATION_START):
    """(training, validation): the rows before `start` and from `start` on, both with a target."""
    frame = with_target(frame)
    return frame[frame.index < start], frame[frame.index >= start]


def imputation_values(train: pd.DataFrame, columns) -> dict[str, float]:
    """Each column's training-split mean: the chapter's "fill with the mean", without leakage."""
    means = train[list(columns)].mean()
    empty = means[means.isna()].index.tolist()
    if empty:
        raise AirQualityFormatError(f"no readings at all to learn from in: {', '.join(empty)}")
    return {c: float(v) for c, v in means.items()}


def impute(frame: pd.DataFrame, values: dict[str, float]) -> pd.DataFrame:
    return frame.fillna(value=values)


def matrix(frame: pd.DataFrame, columns) -> np.ndarray:
    """The inputs as float32, raw units, NaN where missing (the models fill those in)."""
    return frame[list(columns)].to_numpy(dtype="float32")


def input_ranges(frame: pd.DataFrame, columns) -> dict[str, dict[str, float]]:
    """Slider ranges from the data's 1st and 99th percentiles, and the median as a default."""
    out = {}
    for c in columns:
        p1, p50, p99 = np.nanpercentile(frame[c], [1, 50, 99])
        out[c] = {"min": float(p1), "median": float(p50), "max": float(p99)}
    return out


# Presets are real rows: the most typical row (closest to the group's median) of each group,
# among rows where every input but NMHC(GT) was measured (NMHC(GT) stops in April 2004).
PRESETS = {
    "Weekday morning rush (8–9 h)": lambda ix: (ix.dayofweek < 5) & ix.hour.isin([8, 9]),
    "Weekday evening rush (18–20 h)": lambda ix: (ix.dayofweek < 5) & ix.hour.isin([18, 19, 20]),
    "Night (2–5 h)": lambda ix: ix.hour.isin([2, 3, 4, 5]),
    "Summer afternoon (Jul–Aug, 14–16 h)": lambda ix: ix.month.isin([7, 8]) & ix.hour.isin(
        [14, 15, 16]),
    "Sunday midday": lambda ix: (ix.dayofweek == 6) & ix.hour.isin([11, 12, 13]),
    "Winter evening (Nov–Dec, 18–20 h)": lambda ix: ix.month.isin([11, 12]) & ix.hour.isin(
        [18, 19, 20]),
}


def presets(frame: pd.DataFrame) -> dict[str, dict]:
    """name -> {"time": ISO timestamp, "values": {column: value or None}, "benzene": measured}."""
    complete = with_target(frame).dropna(subset=[c for c in ALL_INPUTS if c != "NMHC(GT)"])
    out = {}
    for name, select in PRESETS.items():
        group = complete[select(complete.index)]
        if group.empty:
            continue
        scaled = (group - group.median()) / complete.std()  # NaN (no NMHC) counts as 0
        row = group.loc[scaled.abs().sum(axis=1).idxmin()]
        out[name] = {"time": row.name.isoformat(),
                     "values": {c: None if pd.isna(row[c]) else float(row[c])
                                for c in ALL_INPUTS},
                     "benzene": float(row[TARGET])}
    return out
