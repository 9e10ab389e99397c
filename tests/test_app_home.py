from core import datasets
from core.catalog import PAGES


def _text(at) -> str:
    return " ".join(m.value for m in at.markdown) + " ".join(c.value for c in at.caption)


def test_home_lists_every_page_with_its_status(app, data_dir):
    at = app.run()
    assert not at.exception
    text = _text(at)
    for page in PAGES:
        assert page.teaches in text
    assert "data `air-quality`: found locally" in text
    assert "model `dream/squeezenet_v1_1.keras`" in text and "not shipped" not in text


def test_home_without_data_says_what_is_missing_and_what_still_works(app, no_data):
    at = app.run()
    assert not at.exception
    text = _text(at)
    assert ("data `babi`: not here, and cannot be downloaded now "
            "(downloads are off: LAB_OFFLINE is set)") in text
    assert "Works without it: answers to any story you type" in text
    assert "will be downloaded" not in text


def test_home_tells_a_coming_download_from_an_unreachable_server(app, no_data, monkeypatch):
    monkeypatch.delenv("LAB_OFFLINE")

    def only_uci(address):
        if address[0] != "archive.ics.uci.edu":
            raise OSError("unreachable")

    monkeypatch.setattr(datasets, "_connect", only_uci)
    at = app.run()
    assert not at.exception
    text = _text(at)
    assert "data `air-quality`: not here yet, will be downloaded on first use" in text
    assert ("data `babi`: not here, and cannot be downloaded now "
            "(s3.amazonaws.com cannot be reached)") in text
    assert ("optional weights `vgg16`: not here, and cannot be downloaded now "
            "(storage.googleapis.com cannot be reached)") in text
