"""The app in both languages (AppTest): the shell and Home follow the browser, the address and
the sidebar switch; a switch keeps every widget's state; the student's map is marked, saved and
loaded again; the shared helpers speak the student's language."""

from __future__ import annotations

import datetime as dt

import pytest
from streamlit.testing.v1 import AppTest

from core.catalog import PAGES
from core.concepts import saved
from core.concepts.terms import TERMS
from tests.helpers import APP, ROOT, app_in_shell, japanese_share


@pytest.fixture
def app(monkeypatch):
    """The whole app in AppTest, every run through its shell, started on Home."""
    return app_in_shell(monkeypatch)


def _japanese_share(at) -> float:
    """Japanese among the letters of Home's prose (its tables and map name every term in both
    languages on purpose)."""
    return japanese_share([at.title[0].value, *(h.value for h in at.header),
                           *(m.value for m in at.markdown), *(c.value for c in at.caption),
                           *(e.label for e in at.expander)])


def test_home_and_shell_in_english_by_default(app):
    at = app.run()
    assert not at.exception
    assert at.session_state["lang"] == "en" and at.query_params["lang"] == "en"
    assert [h.value for h in at.header] == ["The chapter’s map", "The pages"]
    assert [e.label for e in at.expander][-1] == "About"
    assert [link.label for link in at.get("page_link")] == [p.title for p in PAGES]
    assert _japanese_share(at) == 0


def test_a_japanese_browser_gets_everything_in_japanese(app):
    app.context = {"locale": "ja-JP"}
    at = app.run()
    assert not at.exception
    assert at.session_state["lang"] == "ja" and at.query_params["lang"] == "ja"
    assert [h.value for h in at.header] == ["7 章の用語マップ", "ページ一覧"]
    assert [e.label for e in at.expander] == ["すべての用語と意味、そのページ",
                                              "このサイトについて"]
    assert "回帰" in [link.label for link in at.get("page_link")]
    assert at.multiselect(key="map_understood").options[0] == "Sequential モデル"
    assert "読者の疑問" in " ".join(m.value for m in at.markdown)
    assert _japanese_share(at) > 0.6


def test_the_address_overrides_the_browser(app):
    app.context = {"locale": "ja-JP"}
    app.query_params["lang"] = "en"
    at = app.run()
    assert at.session_state["lang"] == "en" and at.header[0].value == "The chapter’s map"
    other = AppTest.from_file(APP, default_timeout=60)
    other.query_params["lang"] = "ja"
    other.context = {"locale": "en-US"}
    assert other.run().header[0].value == "7 章の用語マップ"


def test_the_switch_changes_the_language_and_keeps_every_widget(app):
    at = app.run()
    at.multiselect(key="map_understood").set_value(["gan", "encoder"]).run()
    at.toggle(key="map_edge_labels").set_value(False).run()
    at.button_group(key="map_click").set_value("mark").run()
    at.sidebar.button_group(key="lang").set_value("ja").run()
    assert not at.exception
    assert at.header[0].value == "7 章の用語マップ" and at.query_params["lang"] == "ja"
    assert at.multiselect(key="map_understood").value == ["gan", "encoder"]
    assert at.toggle(key="map_edge_labels").value is False
    assert at.button_group(key="map_click").value == "mark"
    assert at.progress[0].value == int(2 / len(TERMS) * 100)
    # Switching back and forth, as a browser does it, is in tests/test_browser_languages.py:
    # AppTest sends the labels of the previous run back, not what a browser would send.


def test_the_choice_and_the_map_survive_a_page_change(app):
    at = app.run()
    at.sidebar.button_group(key="lang").set_value("ja").run()
    at.multiselect(key="map_understood").set_value(["babi"]).run()
    at.switch_page("pages/functional_api.py").run()
    assert not at.exception
    assert at.session_state["lang"] == "ja" and at.expander[-1].label == "このサイトについて"
    at.switch_page("pages/home.py").run()
    assert at.header[0].value == "7 章の用語マップ"
    assert at.multiselect(key="map_understood").value == ["babi"]


def test_a_saved_map_loads_and_a_bad_one_changes_nothing(app):
    at = app.run()
    good = saved.dump(["gan", "decoder"], dt.date(2026, 4, 1))
    at.file_uploader(key="map_upload").upload("my-map.json", good, "application/json").run()
    assert not at.exception
    assert at.multiselect(key="map_understood").value == ["decoder", "gan"]
    assert "Loaded your map from my\\-map\\.json" in at.success[0].value
    at.file_uploader(key="map_upload").upload(
        "[evil](http://x).json", b'{"format": "nope"}', "application/json").run()
    assert "not loaded, and nothing changed" in at.error[0].value
    assert at.multiselect(key="map_understood").value == ["decoder", "gan"]


def test_a_link_from_a_page_shows_its_term_on_the_map(app):
    app.query_params["term"] = "decoder"
    at = app.run()
    assert not at.exception
    card = next(m.value for m in at.markdown if m.value.startswith("**Decoder**"))
    assert card.startswith("**Decoder** (デコーダ)") and "latent space" in card
    assert at.button(key="map_focus_open").label == "Open its section on “Autoencoders”"


def test_a_click_on_a_term_opens_its_page(app):
    at = app.run()
    at.session_state["map_open"] = "gan"  # what a click on GAN asks for
    at.run()
    assert not at.exception
    assert at.title[0].value.startswith("GAN:")  # the click switched to the term's page


def _map_terms_page():
    import streamlit as st

    from pages import common

    st.navigation([st.Page(common.HOME)], position="hidden")
    common.map_terms("autoencoders")


def test_a_page_links_back_to_its_terms_on_the_map(monkeypatch):
    from pages import common

    # This little app's main script lives elsewhere: name Home by its full path.
    monkeypatch.setattr(common, "HOME", str(ROOT / "pages" / "home.py"))
    at = AppTest.from_function(_map_terms_page, default_timeout=60)
    at.session_state["lang"] = "ja"
    at.run()
    assert not at.exception
    links = at.get("page_link")
    assert [link.proto.label for link in links] == [
        _ja(t.name) for t in TERMS if t.page == "autoencoders"]
    assert all("term=" in link.proto.query_string for link in links)


def _ja(text: str) -> str:
    from core import i18n
    from core.i18n import _

    with i18n.using("ja"):
        return _(text)


def _queue_full_page():
    import streamlit as st

    from pages import jobs_view

    st.session_state["dd_job_full"] = (20, ["dream", "training"], 300.0)
    jobs_view.follow("dd_job", "ドリーム")


def test_the_queue_speaks_the_students_language():
    at = AppTest.from_function(_queue_full_page, default_timeout=60)
    at.session_state["lang"] = "ja"
    at.run()
    assert not at.exception
    assert at.warning[0].value == (
        "サーバーが混み合っています。すでに 20 人がドリーム、学習の順番を待っています。"
        "約 5 分後にもう一度試してください。")
