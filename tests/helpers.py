"""Helpers that tests import (fixtures live in conftest.py): where things are, opening a page,
waiting for the browser."""

from __future__ import annotations

import os
from pathlib import Path

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
