"""End-to-end: text that came from a user never becomes a link or an image, on any page.

Every text box on every page is filled, and every file uploader fed, with text full of links,
images, HTML and Markdown; Chromium then must show no link and no image that came from it (bare
addresses are where Streamlit's Markdown linked even escaped text, pages/text.py)."""

from pathlib import Path

import pytest

from core.air_quality.data import COLUMNS
from core.catalog import PAGES
from tests.helpers import wait_until_idle

pytestmark = pytest.mark.browser

PAYLOAD = ("![pixel](https://example.invalid/track.png) [click me](https://example.invalid/phish) "
           "https://example.invalid/bare www.example.invalid mail@example.invalid "
           "<img src=https://example.invalid/x.png> **bold** :red[red] $x^2$")
LEAKS = 'a[href*="example.invalid"], a[href^="mailto:"], img[src*="example.invalid"]'
MAIN = '[data-testid="stMain"]'


def _files(accept: str, folder) -> list:
    """Files for an uploader that takes `accept`: every cell, line and name carries PAYLOAD."""
    table = folder / "air quality.csv"  # the UCI layout, so that its values get read and named
    table.write_text(";".join(COLUMNS) + "\n" + ";".join(
        ["10/03/2004", "18.00.00", *[PAYLOAD] * (len(COLUMNS) - 2)]) + "\n")
    text = folder / "story.txt"
    text.write_text(f"1 {PAYLOAD}\n2 {PAYLOAD}?\tyes\t1\n")
    picture = folder / "www.example.invalid [click me].png"  # not a picture at all
    picture.write_bytes(PAYLOAD.encode())
    return [p for p in (table, text, picture)
            if not accept or p.suffix in accept or (p is picture and "image" in accept)]


def _settled(page) -> None:
    """Idle, and the page no longer grows (a busy machine draws a long page late)."""
    wait_until_idle(page)
    sizes = []
    while len(sizes) < 4 or len(set(sizes[-4:])) > 1:
        sizes.append(page.locator(MAIN).evaluate("e => e.innerHTML.length"))
        page.wait_for_timeout(500)


def _open_expanders(page) -> None:
    closed = page.locator(f"{MAIN} [data-testid='stExpander'] details:not([open]) > summary")
    while closed.count():
        closed.first.click()
        _settled(page)


def _fill_text_boxes(page) -> None:
    boxes = page.locator(f"{MAIN} textarea, {MAIN} input[type='text']")
    for i in range(boxes.count()):
        box = boxes.nth(i)
        if not box.is_visible() or not box.is_editable():
            continue
        box.fill(PAYLOAD)
        box.press("Control+Enter" if box.evaluate("e => e.tagName") == "TEXTAREA" else "Enter")
        _settled(page)


def _feed_uploaders(page, folder) -> None:
    uploaders = page.locator(f"{MAIN} input[type='file']")
    for i in range(uploaders.count()):
        for file in _files(uploaders.nth(i).get_attribute("accept") or "", folder):
            uploaders.nth(i).set_input_files(str(file))
            _settled(page)
            assert page.locator(LEAKS).count() == 0, f"{page.url}: {file.name}"


def test_no_user_text_becomes_a_link_or_an_image(browser_page, app_server, tmp_path):
    page = browser_page
    page.goto(app_server)
    wait_until_idle(page)
    echoed = []
    for entry in PAGES:
        page.locator('[data-testid="stSidebarNav"]').get_by_text(entry.title, exact=True).click()
        page.wait_for_url(f"**/{Path(entry.path).stem}?lang=en")  # the address keeps the language
        _settled(page)
        _open_expanders(page)  # uploaders often wait in one
        _fill_text_boxes(page)
        assert page.locator(LEAKS).count() == 0, entry.title
        _feed_uploaders(page, tmp_path)
        if page.get_by_text("example.invalid", exact=False).count():
            echoed.append(entry.title)
    # the places where user text is shown back were reached (messages naming a bad value)
    assert "Regression" in echoed, echoed
