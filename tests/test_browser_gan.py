"""End-to-end: on the GAN page, start the live 2-D GAN, watch its frames stream in, stop it
mid-run, then take one step. The app runs with no data: the generator ships in assets/."""

import re

import pytest
from playwright.sync_api import expect

from tests.helpers import wait_until_idle

pytestmark = pytest.mark.browser


def test_start_stream_stop_and_one_step(browser_page, app_server_no_data):
    page = browser_page
    page.goto(f"{app_server_no_data}/gan")
    wait_until_idle(page)
    expect(page.locator("h1").first).to_contain_text("GAN")
    page.get_by_role("spinbutton", name="Steps per run").fill("2000")
    page.get_by_role("spinbutton", name="Steps per run").press("Enter")
    wait_until_idle(page)
    page.get_by_role("button", name="Start").click()
    stop = page.get_by_role("button", name="Stop")
    stop.wait_for(timeout=60_000)  # running: the panel with its progress bar and Stop
    expect(page.get_by_text(re.compile(r"^[1-9]\d* / 2000$"))).to_be_visible(
        timeout=90_000)  # frames stream in while it trains
    expect(page.locator('[data-testid="stVegaLiteChart"]').first).to_be_visible()
    stop.click()
    expect(page.get_by_text("was stopped before it finished")).to_be_visible(timeout=30_000)
    wait_until_idle(page)
    caption = page.get_by_text(re.compile(r"^Step \d+ · Ring$"))
    stopped_at = int(re.search(r"Step (\d+)", caption.inner_text()).group(1))
    assert 0 < stopped_at < 2000
    page.get_by_role("button", name="One step").click()
    expect(page.get_by_text(f"Step {stopped_at + 1} · Ring")).to_be_visible(timeout=60_000)
    assert page.locator('[data-testid="stException"]').count() == 0
