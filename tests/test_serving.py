"""Serving preparation: Keras' clear_session() no longer collects the whole heap by default."""

from types import SimpleNamespace

from core.serving import cheap_clear_session


def test_clear_session_keeps_its_reset_but_skips_the_full_collection():
    calls = []
    keras = SimpleNamespace(backend=SimpleNamespace(
        clear_session=lambda free_memory=True: calls.append(free_memory)))
    cheap_clear_session(keras)
    keras.backend.clear_session()  # what Streamlit calls after every script run
    keras.backend.clear_session(free_memory=True)  # an explicit request still collects
    cheap_clear_session(keras)  # applying it twice wraps only once
    keras.backend.clear_session()
    assert calls == [False, True, False]
