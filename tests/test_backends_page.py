"""The Backends page in AppTest, and its worker processes in a real `streamlit run` server."""

from __future__ import annotations

import asyncio
import os
import random
import time
from pathlib import Path

import pytest

from core.backends.pool import BACKENDS, INSTALL, missing, worker_pids
from tests.helpers import apart, open_page, open_page_in, until_backends_ready

PAGE = "pages/backends.py"


def test_the_same_code_runs_and_agrees_on_every_installed_backend(app):
    at = until_backends_ready(open_page(app, PAGE))
    installed = [b for b in BACKENDS if not missing(b)]
    states = at.dataframe[0].value
    assert states["worker"].tolist()[:len(installed)] == ["ready"] * len(installed)
    for backend in BACKENDS:
        if missing(backend):  # said on the page, with the one command that adds it
            assert any(INSTALL[backend] in info.value for info in at.info)
    comparison = at.dataframe[1].value
    assert len(comparison) == len(installed) and comparison["note"].iloc[0] == "reference"
    assert (comparison["max |difference|"].iloc[1:] <= 1e-4).all()
    assert any("same numbers" in s.value for s in at.success)
    # another case: a shipped model on a fixed batch, then a new seed
    at.segmented_control(key="be_case").set_value("model").run()
    at.selectbox(key="be_model").set_value("babi/task1.keras").run()
    at.number_input(key="be_seed").set_value(7).run()
    assert not at.exception, at.exception
    assert (at.dataframe[1].value["max |difference|"].iloc[1:] <= 1e-4).all()
    # the book's K.* lines, and the gradient step (NumPy has no autodiff: said, not an error)
    book = next(m.value for m in at.markdown if m.value.startswith("| book file"))
    assert "| `K.sqrt(K.sum(K.square(x - y), axis=1, keepdims=True))` |" in book
    dream = at.dataframe[3].value
    if "numpy" in installed:
        assert "no automatic differentiation" in dream["note"].iloc[installed.index("numpy")]
    assert any("A reader asks" in m.value for m in at.markdown)
    assert not at.error


def test_the_page_in_japanese(app, monkeypatch):
    at, __ = open_page_in(app, PAGE, "ja", monkeypatch)
    at = until_backends_ready(at)
    text = " ".join(part.value for part in [*at.title, *at.header, *at.markdown, *at.caption])
    assert "バックエンド" in at.title[0].value and "2 · 同じコードをすべてのバックエンドで" in text
    assert "複数のバックエンドにまたがる" in text  # the reader's question, answered in Japanese
    assert list(at.dataframe[1].value.columns)[:3] == ["バックエンド", "計算 (ms)", "応答 (ms)"]
    assert not at.exception


def test_the_workers_stop_with_the_server(tmp_path):
    """A real server: a student opens the page, its worker starts; the server stops, so does it."""
    from core.benchmarks.server import start_server, stop_server

    if not Path("/proc/self/stat").exists():
        pytest.skip("finds the server's worker processes in Linux's /proc")
    backend = "numpy" if not missing("numpy") else "tensorflow"
    env = {**os.environ, "LAB_BACKENDS": backend}
    server, base = start_server(env)
    try:
        errors = apart(asyncio.run, _visit(base, "backends"))
        assert errors == []
        workers = worker_pids(server.pid)
        assert len(workers) == 1
    finally:
        stop_server(server)
    deadline = time.monotonic() + 30
    while any(Path(f"/proc/{pid}").exists() for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not any(Path(f"/proc/{pid}").exists() for pid in workers)


async def _visit(base: str, page_name: str) -> list[str]:
    import websockets

    from core.benchmarks.student import Student

    async with websockets.connect(base.replace("http://", "ws://") + "/_stcore/stream",
                                  subprotocols=["streamlit"], max_size=None,
                                  ping_interval=None) as ws:
        student = Student(ws, random.Random(0))
        await student.rerun()
        page = next(p for p in student.pages if p.url_pathname == page_name)
        await student.visit(page)
        return student.errors
