"""Every page of the lab in both languages, opened in AppTest through the app's shell as a
server runs it (the address's `?lang=`): no exception in either language; in English not one
Japanese letter; in Japanese the title and every header are the catalogue's translations, most
letters shown are Japanese, and the links back to the chapter's map carry the terms' Japanese
names. Parametrized over core.catalog.PAGES, so a page added there is covered by itself. With
LAB_DATA_DIR set the pages show their data sections, without it their missing-data messages."""

from __future__ import annotations

import pytest

from core import i18n
from core.catalog import PAGES
from core.concepts.terms import terms_of
from tests.helpers import LEAST_JAPANESE, app_in_shell, japanese_share, open_page, shown_texts


def _headings(at) -> list[str]:
    return [h.value for h in (*at.title, *at.header, *at.subheader)]


def _map_links(at) -> list[str]:
    return [link.proto.label for link in at.get("page_link")]


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.url_path)
def test_the_page_in_english_and_in_japanese(monkeypatch, page):
    english = open_page(app_in_shell(monkeypatch, "en"), page.path)
    japanese = open_page(app_in_shell(monkeypatch, "ja"), page.path)
    assert japanese.session_state["lang"] == "ja"

    assert japanese_share(shown_texts(english.main)) == 0, "Japanese on the English page"
    share = japanese_share(shown_texts(japanese.main))
    assert share >= LEAST_JAPANESE, f"only {share:.0%} of the letters are Japanese"

    catalogue = i18n.catalogue("ja")
    assert english.title[0].value in catalogue, "the page's title is not a message"
    pairs = list(zip(_headings(english), _headings(japanese), strict=True))
    for en, ja in pairs:  # headings built from placeholders are not messages themselves
        assert ja == catalogue.get(en, ja), f"{en!r} is shown untranslated or wrongly as {ja!r}"

    terms = terms_of(page.url_path)
    assert terms, f"no term of the chapter's map lives on {page.url_path}"
    with i18n.using("ja"):
        assert set(_map_links(japanese)) >= {i18n._(term.name) for term in terms}
    assert set(_map_links(english)) >= {term.name for term in terms}
