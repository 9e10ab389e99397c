"""Shared fixtures: where the real data is, and a machine with no data at all.

Tests that need a dataset or weights ask for `data_dir` (or a fixture built on it), which skips
them with a reason when ``$LAB_DATA_DIR`` is unset or not a folder: the README's plain
``python -m pytest`` passes on a fresh clone. Fixtures that locate data are function-scoped,
so they run after `_isolated_cache` and never see the user's real cache.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from core.benchmarks.server import start_server, stop_server
from tests.helpers import APP, CHROMIUM, NEEDS_DATA, shared_data


@pytest.fixture(autouse=True)
def _isolated_cache(tmp_path_factory, monkeypatch):
    """Never read or write the user's real cache, and never touch the internet from tests:
    downloads are off, and a test that turns them on reaches loopback servers only."""
    from core import datasets

    monkeypatch.setenv("LAB_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))
    monkeypatch.setenv("LAB_OFFLINE", "1")
    monkeypatch.setattr(datasets, "_probes", {})  # no server answer remembered from another test
    monkeypatch.setattr(datasets, "_connect", _loopback_only)


def _loopback_only(address: tuple[str, int]) -> None:
    if address[0] not in ("127.0.0.1", "localhost"):
        raise OSError(f"tests do not reach {address[0]}")
    import socket

    socket.create_connection(address, timeout=1).close()




@pytest.fixture
def data_dir() -> Path:
    """The real development data (``$LAB_DATA_DIR``, as CI sets it); skips without it."""
    path = shared_data()
    if path is None:
        pytest.skip(NEEDS_DATA)
    return path


@pytest.fixture
def no_data(monkeypatch):
    """A machine with no datasets: no LAB_DATA_DIR, an empty cache, downloads off."""
    monkeypatch.delenv("LAB_DATA_DIR", raising=False)
    from dataclasses import replace

    from core import datasets

    no_system = {name: replace(res, system_dirs=()) for name, res in datasets.RESOURCES.items()}
    monkeypatch.setattr(datasets, "RESOURCES", no_system)


@pytest.fixture
def app():
    """The whole app in Streamlit's AppTest, started on Home."""
    from streamlit.testing.v1 import AppTest

    return AppTest.from_file(APP, default_timeout=60)


# --- End-to-end: the real app in `streamlit run`, driven by Debian's headless Chromium ----------

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


def _server(tmp_path_factory, with_data: bool):
    env = {k: v for k, v in os.environ.items() if k not in ("LAB_DATA_DIR",)}
    env.update(LAB_OFFLINE="1", LAB_CACHE_DIR=str(tmp_path_factory.mktemp("server-cache")))
    if with_data:
        data = shared_data()
        if data is None:
            pytest.skip(NEEDS_DATA)
        env["LAB_DATA_DIR"] = str(data)
    log = tmp_path_factory.mktemp("logs") / f"streamlit-{'data' if with_data else 'nodata'}.log"
    server, url = start_server(env, log=log)
    yield url
    stop_server(server)


@pytest.fixture(scope="session")
def app_server(tmp_path_factory):
    """Base URL of the app served with the real data (LAB_DATA_DIR), downloads off."""
    yield from _server(tmp_path_factory, with_data=True)


@pytest.fixture(scope="session")
def app_server_no_data(tmp_path_factory):
    """Base URL of the app served with no LAB_DATA_DIR, an empty cache and downloads off."""
    yield from _server(tmp_path_factory, with_data=False)


@pytest.fixture
def fresh_app_server(tmp_path_factory):
    """A server of its own, no data: for what its first visitor sees after a restart."""
    yield from _server(tmp_path_factory, with_data=False)


@pytest.fixture(scope="session")
def _browser():
    if not Path(CHROMIUM).exists():
        pytest.skip(f"needs Debian's chromium at {CHROMIUM}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def browser_page(_browser):
    """A fresh Playwright page (1280×900) in headless Chromium."""
    context = _browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    yield page
    context.close()
