"""End-to-end: every page, reached from the sidebar in a real browser, renders without error."""

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from core.catalog import PAGES
from tests.helpers import ROOT, wait_until_idle

pytestmark = pytest.mark.browser


def _visit_every_page(page, url: str, screenshot: str | None = None) -> None:
    page.goto(url)
    wait_until_idle(page)
    assert page.locator("h1", has_text="Beyond Sequential").is_visible()
    if screenshot:
        page.screenshot(path=screenshot)
    for entry in PAGES:
        page.locator('[data-testid="stSidebarNav"]').get_by_text(entry.title, exact=True).click()
        page.wait_for_url(f"**/{Path(entry.path).stem}?lang=en")  # the address keeps the language
        wait_until_idle(page)
        exceptions = page.locator('[data-testid="stException"]')
        assert exceptions.count() == 0, f"{entry.title}: {exceptions.first.inner_text()}"
        expect(page.locator("h1").first).to_be_visible()


def test_every_page_opens_with_data(browser_page, app_server, tmp_path):
    # UPDATE_SCREENSHOT=1 refreshes the README's picture; otherwise it goes to a temporary folder.
    folder = ROOT / "docs" if os.environ.get("UPDATE_SCREENSHOT") else tmp_path
    _visit_every_page(browser_page, app_server, screenshot=str(folder / "screenshot.png"))
    assert (folder / "screenshot.png").stat().st_size > 10_000


def test_every_page_opens_without_data(browser_page, app_server_no_data):
    _visit_every_page(browser_page, app_server_no_data)


def test_a_shared_link_opened_first_after_a_restart_gets_the_app(browser_page, fresh_app_server):
    # The `pages/` folder would otherwise run the page alone, with a list of files for a menu.
    browser_page.goto(f"{fresh_app_server}/functional_api")
    wait_until_idle(browser_page)
    nav = browser_page.locator('[data-testid="stSidebarNav"]')
    expect(nav.get_by_text("Memory network", exact=True)).to_be_visible()
    expect(nav.get_by_text("common", exact=True)).to_have_count(0)
    expect(browser_page.get_by_text("About")).to_be_visible()
    expect(browser_page.locator("h1").first).to_have_text("Functional API vs Sequential")
