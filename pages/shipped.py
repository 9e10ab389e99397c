"""Shipped models for the pages: loaded once for the whole class, and bounded for the whole
server, so that the pages a class has left stop costing memory.

`@shipped_model` takes the place of `st.cache_resource` on a page's function that loads shipped
models. Each model is loaded once and shared by every student, as before; in addition the
server keeps at most MAX_MODELS of them, counting every page together (the least recently used
goes first), and drops one that no student has used for IDLE_S seconds. A loaded model with the
functions Keras traces for it costs 5-25 MB, so the bound is the server's: a new page with its
own models adds no memory beyond it (README, "Serving a class", gives the figures).
"""

from __future__ import annotations

import functools
import threading
import time
from collections import OrderedDict
from collections.abc import Callable

import streamlit as st

from core import serving

MAX_MODELS = 12  # more than one page's run uses at once (the Autoencoders page uses 5)
IDLE_S = 600

_lock = threading.Lock()
# (loader's file and name, its arguments) -> (what clears that entry, last use), oldest first
_loaded: OrderedDict[tuple, tuple[Callable[[], None], float]] = OrderedDict()


def shipped_model(load: Callable | None = None, *, show_spinner: bool | str = True):
    """`st.cache_resource` for a loader of shipped models, within the server's bound."""
    def decorate(load: Callable) -> Callable:
        cached = st.cache_resource(show_spinner=show_spinner)(load)
        name = (load.__code__.co_filename, load.__qualname__)  # the same on every rerun

        @functools.wraps(load)
        def shared(*args, **kwargs):
            key = (name, args, tuple(sorted(kwargs.items())))
            _use(key, functools.partial(cached.clear, *args, **kwargs))
            return cached(*args, **kwargs)

        shared.clear = cached.clear
        return shared

    return decorate if load is None else decorate(load)


def _use(key: tuple, clear: Callable[[], None]) -> None:
    with _lock:
        _loaded[key] = (clear, time.monotonic())
        _loaded.move_to_end(key)
        while len(_loaded) > MAX_MODELS:
            _loaded.popitem(last=False)[1][0]()


def drop_idle() -> None:
    """Drop the models no student has used for IDLE_S seconds (serving's beat calls this)."""
    with _lock:
        now = time.monotonic()
        for key, (clear, used) in list(_loaded.items()):
            if now - used > IDLE_S:
                del _loaded[key]
                clear()


serving.on_beat(drop_idle)
