"""End-to-end, in headless Chromium: a Japanese browser gets the lab in Japanese, Home and every
page; the sidebar switch changes the language back and forth without losing a widget's state,
and the choice lasts across pages; a term clicked on the map opens its page at its section."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from core import i18n
from core.catalog import PAGES
from core.concepts import view
from core.concepts.terms import PLACES, TERMS
from tests.helpers import JAPANESE, LEAST_JAPANESE, ROOT, japanese_share, wait_until_idle

pytestmark = pytest.mark.browser


@pytest.fixture
def japanese_page(_browser):
    context = _browser.new_context(viewport={"width": 1280, "height": 900}, locale="ja-JP")
    yield context.new_page()
    context.close()


def test_a_japanese_browser_opens_home_in_japanese(japanese_page, app_server_no_data):
    page = japanese_page
    page.goto(app_server_no_data)
    wait_until_idle(page)
    expect(page.locator("h2", has_text="7 章の用語マップ")).to_be_visible()
    expect(page.locator("h2", has_text="ページ一覧")).to_be_visible()
    nav = page.locator('[data-testid="stSidebarNav"]')
    expect(nav.get_by_text("ホーム", exact=True)).to_be_visible()
    expect(nav.get_by_text("回帰", exact=True)).to_be_visible()
    expect(nav.get_by_text("生成モデル", exact=True)).to_be_visible()
    expect(page.get_by_text("このサイトについて")).to_be_visible()
    expect(page.locator('[data-testid="stVegaLiteChart"]')).to_be_visible()
    assert page.url.endswith("?lang=ja")


@pytest.fixture(scope="module")
def japanese_session(_browser, app_server_no_data):
    """One Japanese browser tab, on Home, that the per-page test below walks from page to page
    (one session for all of them: a new one per page would cost a start-up each)."""
    context = _browser.new_context(viewport={"width": 1280, "height": 900}, locale="ja-JP")
    page = context.new_page()
    page.goto(app_server_no_data)
    wait_until_idle(page)
    yield page
    context.close()


# The text a student reads in the page's main area: code, formulas, the graphs of Keras layers
# and the icons' ligature names ("help") left out.
SHOWN_TEXT = """() => {
  const main = document.querySelector('[data-testid="stMain"]').cloneNode(true);
  main.querySelectorAll('pre, code, .katex, [data-testid="stCode"], ' +
    '[data-testid="stGraphVizChart"], [data-testid="stIconMaterial"]').forEach(e => e.remove());
  return main.innerText;
}"""


@pytest.mark.parametrize("lab_page", PAGES, ids=lambda p: p.url_path)
def test_a_japanese_browser_reads_every_page_in_japanese(japanese_session, lab_page):
    page = japanese_session
    with i18n.using("ja"):
        title = i18n._(lab_page.title)
    page.locator('[data-testid="stSidebarNav"]').get_by_text(title, exact=True).click()
    page.wait_for_url(f"**/{lab_page.url_path}?lang=ja")
    wait_until_idle(page)
    expect(page.locator('[data-testid="stException"]')).to_have_count(0)
    heading = page.locator("h1").first.inner_text().strip()
    assert JAPANESE.search(heading) and heading in i18n.catalogue("ja").values(), heading
    share = japanese_share([page.evaluate(SHOWN_TEXT)])
    assert share >= LEAST_JAPANESE, f"only {share:.0%} of {lab_page.url_path} is Japanese"


def _understood(page) -> str:
    return page.locator(".st-key-map_understood").inner_text()


def test_the_switch_keeps_the_widgets_and_the_choice_lasts_across_pages(
        browser_page, app_server_no_data):
    page = browser_page
    page.goto(app_server_no_data)  # an English browser
    wait_until_idle(page)
    page.locator(".st-key-map_understood").click()
    page.keyboard.type("Decoder")
    page.keyboard.press("Enter")
    page.keyboard.press("Escape")
    wait_until_idle(page)
    page.locator(".st-key-lang").get_by_text("日本語").click()
    wait_until_idle(page)
    expect(page.locator("h2", has_text="7 章の用語マップ")).to_be_visible()
    assert "デコーダ" in _understood(page) and "Decoder" not in _understood(page)
    page.locator(".st-key-lang").get_by_text("English").click()
    wait_until_idle(page)
    assert "Decoder" in _understood(page)
    page.locator(".st-key-lang").get_by_text("日本語").click()
    wait_until_idle(page)
    nav = page.locator('[data-testid="stSidebarNav"]')
    nav.get_by_text("Keras のカスタマイズ", exact=True).click()
    page.wait_for_url("**/customizing_keras?lang=ja")
    wait_until_idle(page)
    nav.get_by_text("ホーム", exact=True).click()
    page.wait_for_url("**/?lang=ja")
    wait_until_idle(page)
    expect(page.locator("h2", has_text="7 章の用語マップ")).to_be_visible()
    assert "デコーダ" in _understood(page)


def _live_term():
    """A term whose page and header anchor exist today (they land with the pages' branches)."""
    paths = {p.url_path: p.path for p in PAGES}
    for term in TERMS:
        page, anchor = PLACES[term.place]
        if page in paths and f'anchor="{anchor}"' in (ROOT / paths[page]).read_text():
            return term
    return None


def test_a_click_on_a_term_opens_its_page_at_its_section(browser_page, app_server_no_data):
    term = _live_term()
    if term is None:
        pytest.skip("no page has its map anchors yet (tests/test_concepts.py lists them)")
    page = browser_page
    page.goto(app_server_no_data)
    wait_until_idle(page)
    chart = page.locator('[data-testid="stVegaLiteChart"]').first
    chart.scroll_into_view_if_needed()
    box = chart.bounding_box()
    (lo_x, hi_x), (lo_y, hi_y) = view.X_DOMAIN, view.Y_DOMAIN
    page.mouse.click(box["x"] + (term.at[0] - lo_x) / (hi_x - lo_x) * box["width"],
                     box["y"] + (term.at[1] - lo_y) / (hi_y - lo_y) * box["height"])
    page.wait_for_url(re.compile(rf"/{term.page}\?lang=en#{term.section}$"), timeout=120_000)
    wait_until_idle(page)
    header = page.locator(f'[id="{term.section}"]')
    expect(header).to_be_in_viewport()
