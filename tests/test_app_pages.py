"""Every page opens without an exception in AppTest, with the data and without it."""

import pytest

from core.catalog import PAGES
from tests.helpers import open_page


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.title)
def test_page_opens_with_data(app, data_dir, page):
    at = open_page(app, page.path)
    assert at.title, f"{page.title} shows no title"


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.title)
def test_page_opens_without_data(app, no_data, page):
    at = open_page(app, page.path)
    assert at.title, f"{page.title} shows no title"
    for name in page.resources:
        if name != "fashion-mnist":  # Debian's package may provide it; then nothing is missing
            assert any(name_or_title(name) in info.value for info in at.info), (
                f"{page.title} does not say that {name} is missing")


def name_or_title(name: str) -> str:
    from core.datasets import RESOURCES

    return RESOURCES[name].title
