"""End-to-end: upload a photo on the Deep Dream page, stop a long dream, then dream with a tiny
setting and get a PNG. The app runs with no data at all: SqueezeNet ships in assets/."""

import pytest
from playwright.sync_api import expect

from core.dream.pictures import generated_picture
from tests.helpers import wait_until_idle

pytestmark = pytest.mark.browser


def _slider_to(page, label: str, key: str) -> None:
    slider = page.locator('[data-testid="stSlider"]').filter(has_text=label).get_by_role("slider")
    slider.focus()
    slider.press(key)


def test_upload_and_dream(browser_page, app_server_no_data, tmp_path):
    page = browser_page
    photo = tmp_path / "photo.png"
    generated_picture(384).save(photo)
    page.goto(app_server_no_data)
    wait_until_idle(page)
    page.locator('[data-testid="stSidebarNav"]').get_by_text("Deep Dream", exact=True).click()
    page.wait_for_url("**/deep_dream?lang=en")
    wait_until_idle(page)
    page.set_input_files('input[type="file"]', str(photo))
    wait_until_idle(page)
    dream = page.get_by_test_id("stBaseButton-primaryFormSubmit")

    for label in ("Octaves", "Steps per octave"):
        _slider_to(page, label, "End")  # 5 octaves × 50 steps: long enough to stop
    page.get_by_role("spinbutton", name="Max loss per octave").fill("0")
    dream.click()
    page.get_by_role("button", name="Stop").click(timeout=30_000)  # the dream runs in the queue
    expect(page.get_by_text("Your dream was stopped before it finished")).to_be_visible(
        timeout=30_000)
    wait_until_idle(page)
    expect(page.locator('[data-testid="stDownloadButton"]')).to_have_count(0)

    for label in ("Octaves", "Steps per octave", "Working size"):
        _slider_to(page, label, "Home")  # 1 octave, 1 step, 64 px
    dream.click()  # the stopped dream left the queue, or this one would wait behind it
    wait_until_idle(page)
    expect(page.locator('[data-testid="stDownloadButton"]')).to_be_visible(timeout=60_000)
    expect(page.get_by_text("After", exact=True)).to_be_visible()
    assert page.locator('[data-testid="stException"]').count() == 0
