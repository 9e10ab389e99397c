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
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
from collections.abc import Callable, Iterator
from pathlib import Path

LANGUAGES = ("en", "ja")
DEFAULT = "en"
LOCALES = Path(__file__).parent / "locales"
DOMAIN = "messages"

_override: contextvars.ContextVar[str | None] = contextvars.ContextVar("language", default=None)
_resolver: Callable[[], str] | None = None


def set_resolver(resolver: Callable[[], str] | None) -> None:
    """Tell core how to find the current session's language (the app calls this)."""
    global _resolver
    _resolver = resolver


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
