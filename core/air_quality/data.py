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

from core.i18n import N_, _

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

# column -> (what it is, its unit or None): marked N_(), shown with _(). UCI gives no unit for
# AH, and its values cannot be g/m³ (0.76 at 13.6 °C and 48.9 % RH, where the air holds about
# 5.7 g/m³; tests/test_air_quality_data.py checks this), so none is claimed.
DESCRIPTIONS = {
    "CO(GT)": (N_("carbon monoxide, reference analyzer"), "mg/m³"),
    "PT08.S1(CO)": (N_("tin-oxide sensor S1, nominally CO"), N_("sensor response")),
    "NMHC(GT)": (N_("non-methane hydrocarbons, reference analyzer"), "µg/m³"),
    "C6H6(GT)": (N_("benzene, reference analyzer"), "µg/m³"),
    "PT08.S2(NMHC)": (N_("titania sensor S2, nominally NMHC"), N_("sensor response")),
    "NOx(GT)": (N_("nitrogen oxides, reference analyzer"), "ppb"),
    "PT08.S3(NOx)": (N_("tungsten-oxide sensor S3, nominally NOx"), N_("sensor response")),
    "NO2(GT)": (N_("nitrogen dioxide, reference analyzer"), "µg/m³"),
    "PT08.S4(NO2)": (N_("tungsten-oxide sensor S4, nominally NO2"), N_("sensor response")),
    "PT08.S5(O3)": (N_("indium-oxide sensor S5, nominally O3"), N_("sensor response")),
    "T": (N_("temperature"), "°C"),
    "RH": (N_("relative humidity"), "%"),
    "AH": (N_("absolute humidity (the dataset gives no unit)"), None),
}


def label(column: str) -> str:
    """A column with its unit, for a slider or an axis: "T (°C)", or "AH" (no unit known)."""
    unit = DESCRIPTIONS[column][1]
    return column if unit is None else _("{column} ({unit})", column=column, unit=_(unit))


# The largest reading in the UCI file is under 3,000. Far larger numbers are corrupt, and
# would overflow the models' float32 arithmetic into infinities and NaN scores.
PLAUSIBLE = 1e9

# Train on the hours before November 2004 (from March), validate on November and December 2004:
# the shared file's last months. The canonical UCI download runs on into 2005; the end date
# keeps the validation months the same with either file.
VALIDATION_START = pd.Timestamp("2004-11-01")
VALIDATION_END = pd.Timestamp("2005-01-01")  # exclusive


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
        raise AirQualityFormatError(
            _("this is not a text file (it is not UTF-8 or ASCII)")) from err
    except pd.errors.EmptyDataError as err:
        raise AirQualityFormatError(_("the file is empty")) from err
    except pd.errors.ParserError as err:
        raise AirQualityFormatError(_("the file could not be read as `;`-separated text: "
                                      "{error}", error=err)) from err
    raw.columns = [str(c).strip() for c in raw.columns]
    raw = raw.loc[:, [c for c in raw.columns if c and not c.startswith("Unnamed:")]]
    _check_columns(raw)
    raw = raw.apply(lambda col: col.str.strip())
    raw = raw[(raw != "").any(axis=1)]  # the trailing `;;;;` rows
    if raw.empty:
        raise AirQualityFormatError(_("the file has a header but no data rows"))

    index = _timestamps(raw["Date"], raw["Time"])
    frame = pd.DataFrame({c: _numbers(raw[c], c) for c in COLUMNS[2:]})
    frame.index = pd.DatetimeIndex(index, name="time")
    frame = frame.mask(frame == MISSING)
    if frame.isna().all().all():
        raise AirQualityFormatError(_("every value in the file is missing (-200 or blank)"))
    return frame


def _check_columns(raw: pd.DataFrame) -> None:
    if len(raw.columns) <= 1:
        raise AirQualityFormatError(_(
            "only one column was found: the UCI Air Quality file separates values with `;` "
            "(header read: {header})", header=repr(str(raw.columns[0])[:60])))
    missing = [c for c in COLUMNS if c not in raw.columns]
    if missing:
        raise AirQualityFormatError(_("missing column(s): {columns}",
                                       columns=", ".join(missing)))


def _timestamps(dates: pd.Series, times: pd.Series) -> pd.Series:
    stamp = pd.to_datetime(dates + " " + times, format="%d/%m/%Y %H.%M.%S", errors="coerce")
    bad = stamp.isna()
    if bad.any():
        row = bad.to_numpy().argmax()
        raise AirQualityFormatError(_(
            "{n} row(s) have a Date/Time not in the form dd/mm/yyyy;HH.MM.SS (first: {first})",
            n=int(bad.sum()), first=f"{dates.iloc[row]!r};{times.iloc[row]!r}"))
    return stamp


def _numbers(column: pd.Series, name: str) -> pd.Series:
    """Decimal commas (the UCI file) or points; blank cells become NaN."""
    values = pd.to_numeric(column.str.replace(",", ".", regex=False).replace("", None),
                           errors="coerce")
    bad = values.isna() & (column != "")
    if bad.any():
        raise AirQualityFormatError(_(
            "column {name} has {n} value(s) that are not numbers (first: {first})",
            name=name, n=int(bad.sum()), first=repr(column[bad].iloc[0])))
    wild = ~values.abs().le(PLAUSIBLE) & values.notna()
    if wild.any():
        raise AirQualityFormatError(_(
            "column {name} has {n} value(s) that are not plausible readings (infinite, or "
            "beyond ±{limit:g}; first: {first})", name=name, n=int(wild.sum()), limit=PLAUSIBLE,
            first=repr(column[wild].iloc[0])))
    return values.astype("float64")


def with_target(frame: pd.DataFrame) -> pd.DataFrame:
    """Only the rows where the benzene analyzer has a reading."""
    return frame[frame[TARGET].notna()]


def split(frame: pd.DataFrame, start: pd.Timestamp = VALIDATION_START,
          end: pd.Timestamp = VALIDATION_END):
    """(training, validation): the rows before `start`, and those from `start` up to (not
    including) `end`; both only rows with a target. Later rows are in neither."""
    frame = with_target(frame)
    return frame[frame.index < start], frame[(frame.index >= start) & (frame.index < end)]


def imputation_values(train: pd.DataFrame, columns) -> dict[str, float]:
    """Each column's training-split mean: the chapter's "fill with the mean", without leakage."""
    means = train[list(columns)].mean()
    empty = means[means.isna()].index.tolist()
    if empty:
        raise AirQualityFormatError(_("no readings at all to learn from in: {columns}",
                                       columns=", ".join(empty)))
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
# The names are the cards' keys (English); the page shows _(name).
PRESETS = {
    N_("Weekday morning rush (8–9 h)"): lambda ix: (ix.dayofweek < 5) & ix.hour.isin([8, 9]),
    N_("Weekday evening rush (18–20 h)"): lambda ix: (ix.dayofweek < 5) & ix.hour.isin(
        [18, 19, 20]),
    N_("Night (2–5 h)"): lambda ix: ix.hour.isin([2, 3, 4, 5]),
    N_("Summer afternoon (Jul–Aug, 14–16 h)"): lambda ix: ix.month.isin([7, 8]) & ix.hour.isin(
        [14, 15, 16]),
    N_("Sunday midday"): lambda ix: (ix.dayofweek == 6) & ix.hour.isin([11, 12, 13]),
    N_("Winter evening (Nov–Dec, 18–20 h)"): lambda ix: ix.month.isin([11, 12]) & ix.hour.isin(
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
