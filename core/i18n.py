"""The lab's two languages: English in the code, Japanese from a gettext catalogue.

Every string a student reads is written in English inside `_()`; Babel extracts them into
`core/locales/messages.pot` and the Japanese catalogue `core/locales/ja/LC_MESSAGES/messages.po`
holds their translations (see core/README.md, "Languages"). A string defined before any
language is known (a page title in a table, a chart's legend entries) is marked with `N_()` and
translated with `_()` where it is shown.

core never imports Streamlit, so it cannot read a session's choice itself: the app registers a
resolver once (`set_resolver`), and `using(lang)` overrides it for a block (tests, the CLI).
Code that runs outside a student's script run (a job's worker thread, a cached function shared
by the class) must not translate: it returns data, and the page translates what it draws, or
the cached function takes the language as an argument.

`number`, `percent`, `quantity`, `duration`, `date` and `listing` write numbers, units, dates
and lists the way the current language does (Babel's CLDR data): 1,234.5 · 40 秒 · 2004年11月3日.
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
import functools
from collections.abc import Callable, Iterator
from pathlib import Path

LANGUAGES = ("en", "ja")
DEFAULT = "en"
NAMES = {"en": "English", "ja": "日本語"}  # each language in its own words, for the switch
BABEL_LOCALES = {"en": "en_US", "ja": "ja_JP"}  # number and date conventions of each language
LOCALES = Path(__file__).parent / "locales"
DOMAIN = "messages"

_override: contextvars.ContextVar[str | None] = contextvars.ContextVar("language", default=None)
_resolver: Callable[[], str] | None = None


def set_resolver(resolver: Callable[[], str] | None) -> None:
    """Tell core how to find the current session's language (the app calls this)."""
    global _resolver
    _resolver = resolver


def from_locale(tag: str | None) -> str:
    """The lab's language for a browser's language tag ('ja-JP' -> 'ja'; unknown -> English)."""
    primary = (tag or "").replace("_", "-").split("-")[0].lower()
    return primary if primary in LANGUAGES else DEFAULT


def language() -> str:
    """The language strings are translated into now: 'en' or 'ja'."""
    lang = _override.get()
    if lang is None and _resolver is not None:
        lang = _resolver()
    return lang if lang in LANGUAGES else DEFAULT


@contextlib.contextmanager
def using(lang: str) -> Iterator[None]:
    """Translate into `lang` inside the block, whatever the session chose."""
    token = _override.set(lang)
    try:
        yield
    finally:
        _override.reset(token)


@functools.cache
def catalogue(lang: str) -> dict[str, str]:
    """English message -> its translation; read once per process."""
    path = LOCALES / lang / "LC_MESSAGES" / f"{DOMAIN}.po"
    if lang == DEFAULT or not path.exists():
        return {}
    from babel.messages.pofile import read_po

    with path.open("rb") as file:
        messages = read_po(file)
    return {m.id: m.string for m in messages if m.id and m.string and not m.fuzzy}


def _(message: str, /, **values: object) -> str:
    """`message` in the current language, with `{name}` placeholders filled from `values`."""
    text = catalogue(language()).get(message, message)
    return text.format(**values) if values else text


def N_(message: str) -> str:
    """Mark `message` for translation where it is defined; `_()` translates it where shown."""
    return message


def labels(columns: dict[str, str]) -> dict[str, str]:
    """{key: label} with each label (marked `N_`) translated: a table's column headers, its
    keys staying English for the code that reads them."""
    return {key: _(label) for key, label in columns.items()}


# --- Numbers, units and dates in the current language's conventions (Babel's CLDR data) --------

def _locale() -> str:
    return BABEL_LOCALES[language()]


def number(value: float, decimals: int = 0) -> str:
    """`value` with the locale's grouping and decimal marks: 1,234.5."""
    from babel.numbers import format_decimal

    return format_decimal(value, format="#,##0" + ("." + "0" * decimals if decimals else ""),
                          locale=_locale())


def percent(fraction: float, decimals: int = 0) -> str:
    """0.853 -> '85%' (or '85.3%' with one decimal)."""
    from babel.numbers import format_percent

    return format_percent(fraction, format="#,##0" + ("." + "0" * decimals if decimals else "")
                          + "%", locale=_locale())


def quantity(value: float, unit: str, decimals: int = 1) -> str:
    """`value` in a CLDR unit ('second', 'millisecond', 'megabyte', …), short form: '1.5 MB'."""
    from babel.units import format_unit

    return format_unit(value, unit, length="short", locale=_locale(),
                       format="#,##0" + ("." + "0" * decimals if decimals else ""))


def duration(seconds: float) -> str:
    """A wait in words a student reads at a glance: '40 sec', '3 min' (40 秒, 3 分)."""
    if seconds < 90:
        return quantity(round(seconds), "second", decimals=0)
    return quantity(round(seconds / 60), "minute", decimals=0)


def date(day: dt.date | str, pattern: str = "medium") -> str:
    """A date the locale's way: 'medium' (Nov 3, 2004 · 2004/11/03), 'long', or a CLDR skeleton
    such as 'MMMd' (Nov 3 · 11月3日) or 'yMMM' (Nov 2004 · 2004年11月). `day` may be ISO text
    ("2004-11-03", or a timestamp starting with one), as the model cards keep dates."""
    from babel.dates import format_date, format_skeleton

    if isinstance(day, str):
        day = dt.date.fromisoformat(day[:10])

    if pattern in ("short", "medium", "long", "full"):
        return format_date(day, format=pattern, locale=_locale())
    return format_skeleton(pattern, day, locale=_locale())


def listing(items: list[str]) -> str:
    """Items joined the locale's way: 'dreams and training runs' (ドリーム、トレーニング)."""
    from babel.lists import format_list

    return format_list(items, locale=_locale())
