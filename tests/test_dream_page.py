"""AppTest of the Deep Dream page: upload, tiny dream, result kept; the sample photo in one
click; a backbone without weights explained. SqueezeNet ships in assets/: no data needed."""

import io
import threading

from PIL import Image

from core import jobs
from core.dream import view
from core.dream.pictures import generated_picture
from tests.helpers import finish_jobs, open_page, open_page_in

PAGE = "pages/deep_dream.py"


def _png(side: int = 48) -> bytes:
    buffer = io.BytesIO()
    generated_picture(side).save(buffer, format="PNG")
    return buffer.getvalue()


def _tiny_settings(at):
    at.multiselect(key="dd_layers_squeezenet").set_value(["fire3_concat"])
    at.slider(key="dd_octaves").set_value(1)
    at.slider(key="dd_steps").set_value(2)
    at.select_slider(key="dd_side").set_value(64)


def test_upload_and_dream(app):
    at = open_page(app, PAGE)
    assert not at.exception
    at.file_uploader(key="dd_upload").set_value(("photo.png", _png(), "image/png"))
    at.run()
    _tiny_settings(at)
    at.button(key="dd_dream").click()  # set_value above does not rerun in a form
    at = finish_jobs(at.run())  # the dream runs in the server's shared queue
    assert [e for e in at.get("download_button")], "no download button after the dream"
    recent = at.session_state["dd_recent"]
    assert len(recent) == 1
    result = Image.open(io.BytesIO(next(iter(recent.values()))))
    assert result.size == (48, 48)  # back at the photo's size
    at = at.run()  # a rerun shows the kept result without dreaming again
    assert len(at.session_state["dd_recent"]) == 1 and at.get("download_button")
    assert not at.warning and "dd_job_stop" not in [b.key for b in at.button]  # Stop is gone


def test_a_waiting_dream_shows_its_place_can_leave_and_a_full_server_says_so(app, monkeypatch):
    queue = jobs.JobQueue(workers=1, capacity=1)
    monkeypatch.setattr(jobs, "_SHARED", queue)
    release = threading.Event()
    queue.submit("dream", lambda job: release.wait(60))  # another student's dream is running
    try:
        at = open_page(app, PAGE)
        at.radio(key="dd_source").set_value("generated").run()
        _tiny_settings(at)
        at.button(key="dd_dream").click()
        at = at.run()
        assert not at.exception, at.exception
        assert any("waits its turn" in i.value and "the next one to start" in i.value
                   for i in at.info)
        at.button(key="dd_job_leave").click().run()
        assert any("stopped before it finished" in i.value for i in at.info)
        assert queue.waiting() == 0
        queue.submit("dream", lambda job: None)  # a third student now fills the line
        at.button(key="dd_dream").click()
        at = at.run()
        assert any("The server is full" in w.value for w in at.warning)
        assert at.session_state["dd_recent"] == {}
    finally:
        release.set()
    assert queue.wait_idle(30)


def test_bad_upload_is_explained(app):
    at = open_page(app, PAGE)
    at.file_uploader(key="dd_upload").set_value(("photo.png", b"not an image", "image/png"))
    at.run()
    assert not at.exception
    assert any("could not be read" in e.value for e in at.error)


def test_without_data_the_sample_photo_dreams_in_one_click(app, no_data):
    at = open_page(app, PAGE)
    assert not at.info or not any("not available" in i.value for i in at.info)
    assert at.file_uploader(key="dd_upload") is not None
    _tiny_settings(at)
    at.button(key="dd_sample").click()
    at = finish_jobs(at.run())
    recent = at.session_state["dd_recent"]
    assert len(recent) == 1 and at.get("download_button")
    with Image.open(view.SAMPLE_PHOTO) as sample:
        assert Image.open(io.BytesIO(next(iter(recent.values())))).size == sample.size
    captions = [img.caption for element in at.get("image")
                for img in element.proto.imgs]
    assert view.SAMPLE_CREDIT in captions  # the photographer and the license, beside it


def test_an_upload_replaces_the_sample_photo(app):
    at = open_page(app, PAGE)
    _tiny_settings(at)
    at.button(key="dd_sample").click()
    at = finish_jobs(at.run())
    assert at.session_state["dd_use_sample"]
    at.file_uploader(key="dd_upload").set_value(("photo.png", _png(40), "image/png"))
    at = at.run()
    assert not at.session_state["dd_use_sample"]
    at.button(key="dd_dream").click()
    at = finish_jobs(at.run())
    first, latest = (Image.open(io.BytesIO(png)) for png in at.session_state["dd_recent"].values())
    assert first.size == (451, 300) and latest.size == (40, 40)  # the sample's, then the upload's


def test_backbone_without_weights_says_how_to_get_them(app, no_data):
    at = open_page(app, PAGE)
    at.selectbox(key="dd_backbone").set_value("inception").run()
    assert not at.exception
    message = next(i.value for i in at.info if "InceptionV3" in i.value)
    assert "LAB_DATA_DIR" in message and "LAB_OFFLINE" in message  # how to get it, why not now
    assert "Still works:** dreaming with SqueezeNet" in message
    assert [b.key for b in at.button] == ["dd_sample"]  # no form to fill in, no Dream button


def test_presets_fill_the_form(app):
    at = open_page(app, PAGE)
    at.radio(key="dd_source").set_value("generated").run()
    at.button_group(key="dd_preset").set_value("wild").run()
    assert not at.exception and not at.warning
    wild = at.multiselect(key="dd_layers_squeezenet").value
    assert wild == ["fire7_concat", "fire8_concat", "fire9_concat"]
    assert at.slider(key="dd_w_squeezenet_fire9_concat").value > at.slider(
        key="dd_w_squeezenet_fire7_concat").value
    wild_max_loss = at.number_input(key="dd_max_loss_squeezenet").value
    assert wild_max_loss > 0
    at.button_group(key="dd_preset").set_value("subtle").run()
    assert at.slider(key="dd_octaves").value < 4
    assert 0 < at.number_input(key="dd_max_loss_squeezenet").value < wild_max_loss
    assert at.session_state["dd_recent"] == {}  # choosing settings never dreams


def test_a_reader_asks_what_a_feature_is_and_is_shown_feature_maps(app, no_data):
    at = open_page(app, PAGE)
    box = next(m.value for m in at.markdown if "A reader asks" in m.value)
    assert "feature" in box
    assert any("feature map" in m.value for m in at.markdown)
    links = [link.proto.page for link in at.get("page_link")]
    assert "customizing_keras" in links
    assert "features" in links  # the Features page shows what the channels respond to


def test_backbones_claim_no_size_they_have_not_measured(app, no_data):
    at = open_page(app, PAGE)
    options = at.selectbox(key="dd_backbone").options
    squeezenet = next(o for o in options if o.startswith("SqueezeNet"))
    assert squeezenet.endswith(f"{view.weights_megabytes('squeezenet'):.1f} MB")
    assert all("MB" not in o for o in options if not o.startswith("SqueezeNet"))


def test_the_page_reads_in_japanese(app, no_data, monkeypatch):
    at, shown = open_page_in(app, PAGE, "ja", monkeypatch)
    assert at.title[0].value == "Deep Dream：CNN に写真の中のものを見させる"
    assert "**特徴**（feature）" in shown
