"""Helpers that tests import (fixtures live in conftest.py): where things are, opening a page,
waiting for the browser."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

from google.protobuf.message import Message
from streamlit.runtime import pages_manager

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "streamlit_app.py")
CHROMIUM = "/usr/bin/chromium"
NEEDS_DATA = "needs LAB_DATA_DIR pointing at a folder laid out like ../shared/data"


def shared_data() -> Path | None:
    """``$LAB_DATA_DIR`` when it names a folder, else None."""
    path = os.environ.get("LAB_DATA_DIR")
    return Path(path) if path and Path(path).is_dir() else None


def open_page(app, path: str):
    """Start the app on Home, switch to the page at `path`, and check it rendered cleanly."""
    at = app.run()
    at.switch_page(path).run()
    assert not at.exception, at.exception
    return at


def open_page_in(app, path: str, lang: str, monkeypatch):
    """`open_page` with every string translated into `lang`; the page and the text it shows
    (title, headers, prose and captions)."""
    from core import i18n

    monkeypatch.setattr(i18n, "language", lambda: lang)
    at = open_page(app, path)
    parts = [*at.title, *at.header, *at.subheader, *at.markdown, *at.caption]
    return at, " ".join(part.value for part in parts)


def finish_jobs(at, timeout: float = 120):
    """Let the shared job queue finish what a click queued, then rerun the page to show it
    (in a browser the waiting panel polls by itself; AppTest runs no timers)."""
    from core.jobs import shared_queue

    assert shared_queue().wait_idle(timeout), "queued work did not finish"
    at.run()
    assert not at.exception, at.exception
    return at


def until_backends_ready(at, timeout: float = 600):
    """Rerun the Backends page until its workers have started (or failed to) and its sections
    show (in a browser the waiting part polls by itself; AppTest runs no timers)."""
    import time

    deadline = time.monotonic() + timeout
    while not any(h.value.startswith("2 ·") for h in at.header):
        assert time.monotonic() < deadline, "the backend workers did not start"
        time.sleep(1)
        at.run(timeout=timeout)
        assert not at.exception, at.exception
    return at


def apart(function, *args, **kwargs):
    """`function(*args, **kwargs)` in a thread of its own. Once a browser test has run, the
    session's Playwright (sync API) keeps an event loop running in the main thread, and
    `asyncio.run` refuses to start inside a running loop."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(1) as thread:
        return thread.submit(function, *args, **kwargs).result()


def wait_until_idle(page, timeout_s: float = 120) -> None:
    """Wait until Streamlit has finished running the script (no 'Running…' status widget)."""
    import time

    deadline = time.monotonic() + timeout_s
    page.wait_for_selector('[data-testid="stSidebarNav"]', timeout=timeout_s * 1000)
    page.wait_for_selector("h1", timeout=timeout_s * 1000)
    quiet = 0
    while time.monotonic() < deadline:
        running = page.locator('[data-testid="stStatusWidget"]').count()
        quiet = quiet + 1 if running == 0 else 0
        if quiet >= 4:  # idle for ~1 s in a row: the run is over, not between two elements
            return
        page.wait_for_timeout(250)
    raise TimeoutError("the app kept running")


# --- What a page shows, and how much of it is Japanese --------------------------------------

JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uff66-\uff9f]")
# The least share of Japanese among the letters a Japanese student reads on a page (an English
# page has none): the rest is Keras names in the layer tables, sensor names, bAbI words, Keras'
# own messages quoted as they are, and the English terms beside their Japanese.
LEAST_JAPANESE = 0.5
_TEXT_FIELDS = {"body", "label", "help", "placeholder", "caption", "options", "content", "text",
                "delta", "alt"}
_NOT_PROSE = {"code", "graphviz_chart", "json", "exception"}  # code, Keras graphs, tracebacks
# left out of the letters: code fences and spans, LaTeX, icons, colour markup, link targets
_MARKUP = re.compile(r"```.*?```|`[^`]*`|\$\$.*?\$\$|\$[^$\n]+\$|:material/\w+:|:[a-z-]+\[|"
                     r"\]\(\S*?\)|https?://\S+", re.S)


class _ServerPages(pages_manager.PagesManager):
    """Pages as a running server has them once `st.navigation` ran: AppTest forgets that before
    every run and, seeing a `pages/` folder, reruns a page file alone, without the app around
    it (no sidebar, no language switch). With this, every run goes through streamlit_app.py."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        pages_manager.PagesManager.uses_pages_directory = False


def app_in_shell(monkeypatch, lang: str | None = None):
    """The whole app in AppTest, every run through its shell (language switch, sidebar),
    started on Home; `lang` as the address's `?lang=` when given."""
    from streamlit.testing.v1 import AppTest, app_test

    monkeypatch.setattr(app_test, "PagesManager", _ServerPages)
    at = AppTest.from_file(APP, default_timeout=60)
    if lang:
        at.query_params["lang"] = lang
    return at


def shown_texts(node) -> list[str]:
    """Every piece of text an AppTest node (say `at.main`) shows a student: prose, headers,
    labels and help of widgets and their options, metrics, alerts, captions, expanders and
    tabs, chart titles, axes and legends, table headers and text cells. Code blocks, graphs
    (Keras layer names) and tracebacks are left out."""
    texts: list[str] = []
    _collect(node, texts)
    return [text for text in texts if text.strip()]


def _collect(node, texts: list[str]) -> None:
    kind = getattr(node, "type", "")
    if kind in _NOT_PROSE:
        return
    proto = getattr(node, "proto", None)
    if kind in ("dataframe", "table"):
        texts.extend(_table_texts(node))
    elif isinstance(proto, Message):
        _proto_texts(proto, texts)
    for child in getattr(node, "children", {}).values():
        _collect(child, texts)


def _table_texts(node) -> list[str]:
    """A table's column headers as shown (column_config labels, hidden columns left out) and
    its text cells."""
    frame = node.value
    config = json.loads(getattr(node.proto, "columns", "") or "{}")
    order = list(getattr(node.proto, "column_order", ())) or [str(c) for c in frame.columns]
    texts = []
    for column in frame.columns:
        shown = config.get(str(column)) or {}
        if str(column) not in order or shown.get("hidden"):
            continue
        texts.append(shown.get("label") or str(column))
        texts.extend(value for value in frame[column] if isinstance(value, str))
    return texts


def _proto_texts(message, texts: list[str]) -> None:
    for field, value in message.ListFields():
        if field.name == "spec":  # a Vega-Lite chart: its titles, axes and legends
            _titles(json.loads(value), texts)
        elif field.type == field.TYPE_MESSAGE:
            for item in [value] if isinstance(value, Message) else value:
                _proto_texts(item, texts)
        elif field.type == field.TYPE_STRING and field.name in _TEXT_FIELDS:
            texts.extend([value] if isinstance(value, str) else value)


def _titles(spec, texts: list[str]) -> None:
    if isinstance(spec, dict):
        for key, value in spec.items():
            if key in ("title", "text") and isinstance(value, str | list):
                texts.extend([value] if isinstance(value, str) else map(str, value))
            else:
                _titles(value, texts)
    elif isinstance(spec, list):
        for value in spec:
            _titles(value, texts)


def letters(texts: list[str]) -> list[str]:
    """The letters of `texts` a student reads as prose: code spans and blocks, formulas, icons
    and link targets left out."""
    return [c for text in texts for c in _MARKUP.sub(" ", text) if c.isalpha()]


def japanese_share(texts: list[str]) -> float:
    """Japanese characters (kana, kanji) among the `letters` of `texts`: 0 for English, near 1
    for Japanese with no Latin term in it."""
    found = letters(texts)
    return sum(bool(JAPANESE.match(c)) for c in found) / len(found) if found else 0.0
