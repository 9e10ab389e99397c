from core.catalog import PAGES


def test_home_lists_every_page_with_its_status(app, data_dir):
    at = app.run()
    assert not at.exception
    text = " ".join(m.value for m in at.markdown)
    for page in PAGES:
        assert page.teaches in text
    assert "data `air-quality`: found locally" in text


def test_home_without_data_says_what_is_missing(app, no_data):
    at = app.run()
    assert not at.exception
    text = " ".join(m.value for m in at.markdown)
    assert "data `babi`: missing" in text
