"""AppTest of the Features page: the shipped grid is instant and offline, other channels grow
through the queue, the activation maps follow the photo, and bad choices are explained."""

import io

from PIL import Image

from tests.helpers import finish_jobs, open_page

PAGE = "pages/features.py"
SECTIONS = ["1 · A layer and its channels", "2 · The image each channel wants",
            "3 · Where each channel fires on a photo", "4 · What makes them readable"]


def captions(at) -> list[str]:
    return [c for image in at.image for c in image.captions]


def test_the_shipped_grid_offline(app, no_data):
    at = open_page(app, PAGE)
    assert [h.value for h in at.header] == SECTIONS
    assert sum("channel " in c for c in captions(at)) >= 24  # 12 tiles and 12 beside their maps
    assert any(c.startswith("mean ") for c in captions(at))
    assert any("plain pixels" in c for c in captions(at))
    assert "ft_grow" not in [b.key for b in at.button]  # nothing to compute


def test_other_channels_grow_through_the_queue(app):
    at = open_page(app, PAGE)
    at.selectbox(key="ft_layer").set_value("fire2_concat").run()
    at.toggle(key="ft_mine").set_value(True).run()
    at.multiselect(key="ft_channels_fire2_concat").set_value([5, 6]).run()
    at.button(key="ft_grow").click().run()
    at = finish_jobs(at, timeout=300)
    assert "channel 5" in captions(at) and "channel 6" in captions(at)
    assert len(at.session_state["ft_recent"]) == 1


def test_too_many_channels_are_explained(app):
    at = open_page(app, PAGE)
    at.toggle(key="ft_mine").set_value(True).run()
    at.multiselect(key="ft_channels_fire5_concat").set_value(list(range(20))).run()
    assert any("at most 16 channels" in w.value for w in at.warning)
    at.multiselect(key="ft_channels_fire5_concat").set_value([]).run()
    assert any("at least 1 channel" in w.value for w in at.warning)
    assert not at.exception


def test_my_own_photo_and_a_broken_one(app):
    at = open_page(app, PAGE)
    at.radio(key="ft_source").set_value("upload").run()
    assert any("Upload a photo" in i.value for i in at.info)
    buffer = io.BytesIO()
    Image.new("RGB", (90, 60), (30, 160, 40)).save(buffer, format="PNG")
    at.file_uploader(key="ft_upload").set_value(("green.png", buffer.getvalue(), "image/png"))
    at.run()
    assert any(c.startswith("mean ") for c in captions(at))
    at.file_uploader(key="ft_upload").set_value(("bad.png", b"not an image", "image/png"))
    at.run()
    assert any("could not be read as an image" in e.value for e in at.error)
    assert not at.exception


def test_without_squeezenet_the_shipped_grids_still_show(app, monkeypatch):
    import streamlit as st

    from core.dream import model as dream_model

    monkeypatch.setattr(dream_model, "shipped_weights", lambda key: None)
    st.cache_resource.clear()
    try:
        at = open_page(app, PAGE)
        assert sum(c.startswith("channel ") for c in captions(at)) == 12  # no maps without it
        at.toggle(key="ft_mine").set_value(True).run()
        at.multiselect(key="ft_channels_fire5_concat").set_value([1, 2]).run()
        assert any("python -m core convert squeezenet" in w.value for w in at.warning)
        assert "ft_grow" not in [b.key for b in at.button]
    finally:
        monkeypatch.undo()
        st.cache_resource.clear()
