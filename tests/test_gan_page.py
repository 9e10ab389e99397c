"""AppTest of the GAN page: every section with the shipped generator (offline, and with the
data), digits for a seed, the walk, the story, and the live 2-D GAN: one step, a streamed run,
mode collapse, placed points, and bad settings explained."""

import numpy as np
import pytest

from tests.helpers import finish_jobs, open_page

PAGE = "pages/gan.py"
SECTIONS = ["1 · Digits from noise", "2 · A walk between two digits", "3 · How it learned",
            "4 · Are they good digits?", "5 · The generator and the autoencoder's decoder",
            "6 · Train a GAN yourself, in 2-D"]


def headers(at) -> list[str]:
    return [h.value for h in at.header]


def said(at) -> str:
    return "\n".join(str(e.value) for group in (at.warning, at.info, at.caption, at.markdown,
                                                 at.error) for e in group)


@pytest.fixture(scope="module")
def page():
    from streamlit.testing.v1 import AppTest

    from tests.helpers import APP

    at = AppTest.from_file(APP, default_timeout=120).run()
    at.switch_page(PAGE).run()
    assert not at.exception, at.exception
    return at


def test_every_section_offline(app, no_data):
    at = open_page(app, PAGE)
    assert headers(at) == SECTIONS
    assert "MNIST digits" in said(at)  # the nearest-digit check needs the data, and says so
    assert any(m.label.startswith("Recognized with") for m in at.metric)  # the card's figures


def test_the_nearest_training_digits_with_the_data(app, data_dir):
    at = open_page(app, PAGE)
    assert headers(at) == SECTIONS
    assert "**Copies?**" in said(at)


def test_a_seed_draws_its_digits(page):
    page.number_input(key="gan_seed").set_value(7).run()
    captions = [c for image in page.image for c in image.captions]
    assert any("digits for seed 7" in c for c in captions), captions
    assert headers(page) == SECTIONS


def test_the_conditional_gan_draws_the_digit_picked(page):
    page.segmented_control(key="gan_kind").set_value("cgan").run()
    page.segmented_control(key="gan_digit").set_value(7).run()
    assert not page.exception
    assert "draws 7 all the way" in said(page)
    table = next(d.value for d in page.dataframe if "DCGAN" in d.value.columns)
    assert "conditional GAN" in table.columns
    assert any(table["figure"].str.contains("drawn as the digit asked for"))
    assert headers(page) == SECTIONS
    page.segmented_control(key="gan_kind").set_value("dcgan").run()


def test_the_story_shows_any_recorded_epoch(page):
    page.select_slider(key="gan_story_epoch").set_value(0).run()
    assert not page.exception
    assert any("after epoch 0" in c for image in page.image for c in image.captions)


def test_one_step_then_a_streamed_run(page):
    page.button(key="gan_reset").click().run()
    page.button(key="gan_one").click().run()
    at = finish_jobs(page)
    gan = at.session_state["gan_live"]
    assert gan.step == 1 and len(gan.d_loss) == 1
    at.number_input(key="gan_steps").set_value(60).run()
    at.button(key="gan_start").click().run()
    at = finish_jobs(at)
    assert gan.step == 61 and gan.frame.step == 61
    assert "Step 61" in said(at)


def test_bad_settings_are_explained_and_block_the_run(page):
    page.text_input(key="gan_g_lr").set_value("nan").run()
    page.number_input(key="gan_steps").set_value(10 ** 7).run()
    warnings = [w.value for w in page.warning]
    assert any("generator's learning rate" in w and "nan" in w for w in warnings), warnings
    assert any("from 1 to 2000" in w for w in warnings), warnings
    assert page.button(key="gan_start").disabled and page.button(key="gan_one").disabled
    page.text_input(key="gan_g_lr").set_value("0.001").run()
    page.number_input(key="gan_steps").set_value(40).run()
    assert not page.warning and not page.button(key="gan_start").disabled


def test_placed_points_become_the_target(page):
    page.segmented_control(key="gan_target").set_value("drawn").run()
    assert any("Place at least 3 points" in w.value for w in page.warning)
    assert page.button(key="gan_start").disabled
    page.session_state["gan_points"] = [(0.5, 0.5), (-0.5, 0.5), (0.0, -0.6)]
    page.run()
    assert not page.warning
    page.number_input(key="gan_steps").set_value(30).run()
    page.button(key="gan_start").click().run()
    at = finish_jobs(page)
    gan = at.session_state["gan_live"]
    assert gan.settings.target == "drawn" and gan.points.shape == (3, 2)
    at.button(key="gan_undo").click().run()
    assert at.session_state["gan_points"] == [(0.5, 0.5), (-0.5, 0.5)]
    at.button(key="gan_clear").click().run()
    assert at.session_state["gan_points"] == []


def test_mode_collapse_sets_the_bad_pair(page):
    page.button(key="gan_collapse").click().run()
    assert page.text_input(key="gan_g_lr").value == "0.01"
    assert page.text_input(key="gan_d_lr").value == "0.001"
    gan = page.session_state["gan_live"]
    assert gan.settings.target == "blobs" and gan.step == 0
    assert "Mode collapse" in said(page)
    assert np.isfinite(gan.frame.field).all()


def test_without_the_shipped_generators_the_live_gan_still_works(app, monkeypatch):
    import streamlit as st

    from core.gan import training

    def missing(kind="dcgan", folder=None):
        raise FileNotFoundError(f"{kind}_generator.keras is missing")

    monkeypatch.setattr(training, "load_shipped", missing)
    st.cache_resource.clear()
    try:
        at = open_page(app, PAGE)
        assert headers(at) == SECTIONS[-1:]
        assert any("python -m core train gan" in i.value for i in at.info)
    finally:
        monkeypatch.undo()
        st.cache_resource.clear()
