"""Shipped models are shared by the class and bounded for the whole server (pages/shipped.py)."""

import time
from collections import OrderedDict

import pytest

from pages import shipped


@pytest.fixture
def loader(monkeypatch):
    monkeypatch.setattr(shipped, "MAX_MODELS", 2)
    monkeypatch.setattr(shipped, "_loaded", OrderedDict())
    loads = []

    @shipped.shipped_model(show_spinner=False)
    def load(name: str, kind: str = "conv"):
        loads.append((name, kind))
        return object()

    yield load, loads
    load.clear()


def test_a_model_is_loaded_once_for_everyone(loader):
    load, loads = loader
    assert load("a") is load("a") and load("a", kind="dense") is load("a", kind="dense")
    assert loads == [("a", "conv"), ("a", "dense")]


def test_the_least_recently_used_model_goes_first(loader):
    load, loads = loader
    load("a"), load("b"), load("a"), load("c")  # three models, room for two: "b" goes
    load("a"), load("b")
    assert loads == [("a", "conv"), ("b", "conv"), ("c", "conv"), ("b", "conv")]


def test_a_model_nobody_used_for_a_while_is_dropped(loader, monkeypatch):
    load, loads = loader
    load("a")
    monkeypatch.setattr(shipped, "IDLE_S", 0.01)
    time.sleep(0.05)
    shipped.drop_idle()
    load("a")
    assert loads == [("a", "conv"), ("a", "conv")]
