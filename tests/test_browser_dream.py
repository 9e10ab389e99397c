"""End-to-end: upload a photo on the Deep Dream page, dream with a tiny setting, get a PNG."""

import pytest
from playwright.sync_api import expect

from core.dream.pipeline import generated_picture
from tests.conftest import wait_until_idle

pytestmark = pytest.mark.browser


def _slider_to_start(page, label: str) -> None:
    slider = page.locator('[data-testid="stSlider"]').filter(has_text=label).get_by_role("slider")
    slider.focus()
    slider.press("Home")


def test_upload_and_dream(browser_page, app_server, tmp_path):
    page = browser_page
    photo = tmp_path / "photo.png"
    generated_picture(80).save(photo)
    page.goto(app_server)
    wait_until_idle(page)
    page.locator('[data-testid="stSidebarNav"]').get_by_text("Deep Dream", exact=True).click()
    page.wait_for_url("**/deep_dream")
    wait_until_idle(page)
    page.set_input_files('input[type="file"]', str(photo))
    wait_until_idle(page)
    for label in ("Octaves", "Steps per octave", "Working size"):
        _slider_to_start(page, label)  # 1 octave, 1 step, 64 px
    page.get_by_test_id("stBaseButton-primaryFormSubmit").click()
    wait_until_idle(page)
    expect(page.locator('[data-testid="stDownloadButton"]')).to_be_visible(timeout=60_000)
    expect(page.get_by_text("After", exact=True)).to_be_visible()
    assert page.locator('[data-testid="stException"]').count() == 0
