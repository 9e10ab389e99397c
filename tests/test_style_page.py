"""AppTest of the style-transfer page offline, on the shipped SqueezeNet and drawn styles: a
tiny style transfer through the job queue, its losses and Gram matrices; the book's recipe
beside the lab's; the last Deep Dream as photo or style; uploads and settings that cannot run;
VGG19 without its weights."""

import io

from PIL import Image

from core import jobs
from core.style import pictures, view
from tests.helpers import finish_jobs, open_page, open_page_in

PAGE = "pages/style_transfer.py"


def _png(colour=(200, 80, 40), size=(40, 30)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, format="PNG")
    return buffer.getvalue()


def _tiny(at, steps: int = 2):
    at.slider(key="style_steps").set_value(steps)
    at.select_slider(key="style_side").set_value(64)


def test_the_sample_photo_and_a_drawn_style_give_a_result(app, no_data):
    at = open_page(app, PAGE)
    assert [h.anchor for h in at.header] == ["content", "style", "settings", "result", "book"]
    assert not at.warning and not at.error
    assert at.radio(key="style_source").value == "sample"
    assert at.radio(key="style_look").value == "drawn"
    assert "My last Deep Dream" not in at.radio(key="style_source").options  # none dreamed yet
    at.radio(key="style_drawn").set_value("woodcut_waves").run()
    _tiny(at, steps=3)
    at.button(key="style_go").click()
    at = finish_jobs(at.run())
    recent = at.session_state["style_recent"]
    assert len(recent) == 1
    result = next(iter(recent.values()))
    assert max(result.image.size) == 64 and result.history.shape == (4, 3)
    assert [h.anchor for h in at.header] == ["content", "style", "settings", "result", "gram",
                                             "book"]
    assert at.get("download_button") and at.get("vega_lite_chart")
    captions = [img.caption for element in at.get("image") for img in element.proto.imgs]
    assert "Style image · conv1" in captions and "Result · conv1" in captions
    at.selectbox(key="style_gram_layer").set_value("fire5_concat").run()
    assert not at.exception
    assert any("256×256 features" in c.value for c in at.caption)
    at = at.run()  # a rerun shows the kept result without running again
    assert len(at.session_state["style_recent"]) == 1 and at.get("download_button")


def test_the_book_s_recipe_beside_the_lab_s(app):
    at = open_page(app, PAGE)
    at.select_slider(key="style_side").set_value(64)
    at.button(key="style_compare_go").click()
    at = finish_jobs(at.run())
    (results,) = at.session_state["style_compared"].values()
    assert list(results) == ["book", "book_adam", "lab"]
    assert results["book"].change < 0.5 < 5 < results["lab"].change
    assert all(r.grams == {} for r in results.values())  # not shown there, so not kept
    words = " ".join(c.value for c in at.caption)
    assert "10 steps of plain gradient descent, learning rate 0.001" in words
    assert "{steps} steps of Adam, learning rate {learning_rate:g}".format(**view.DEFAULTS) in words
    assert any("**Why.**" in m.value for m in at.markdown)


def test_the_last_deep_dream_can_be_the_photo_or_the_style(app):
    at = open_page(app, PAGE)
    dream = _png((30, 160, 90), (50, 40))
    at.session_state["dd_recent"] = {"older": _png(), "newest": dream}  # as Deep Dream keeps them
    at = at.run()
    assert "My last Deep Dream" in at.radio(key="style_source").options
    at.radio(key="style_source").set_value("dream").run()
    at.radio(key="style_look").set_value("dream").run()
    assert not at.exception and not at.error
    _tiny(at)
    at.button(key="style_go").click()
    at = finish_jobs(at.run())
    (result,) = at.session_state["style_recent"].values()
    assert result.image.size == (50, 40)  # the newest dream, not the older (40×30) one


def test_an_uploaded_style_is_used_and_a_bad_one_explained(app):
    at = open_page(app, PAGE)
    at.radio(key="style_look").set_value("upload").run()
    assert any("Upload a style image" in i.value for i in at.info)
    at.file_uploader(key="style_look_upload").set_value(("x.png", b"not an image", "image/png"))
    at = at.run()
    assert any("could not be read as an image" in e.value for e in at.error)
    at.file_uploader(key="style_look_upload").set_value(("s.png", _png(), "image/png"))
    at = at.run()
    assert not at.error
    assert any(img.caption == "Your style image" for element in at.get("image")
               for img in element.proto.imgs)


def test_settings_that_cannot_run_are_explained(app):
    at = open_page(app, PAGE)
    at.multiselect(key="style_layers_squeezenet").set_value([])
    at.button(key="style_go").click()
    at = at.run()
    assert any("at least one layer" in w.value for w in at.warning)
    at.multiselect(key="style_layers_squeezenet").set_value(["conv1"])
    at.select_slider(key="style_style_w").set_value(0.0)
    at.select_slider(key="style_tv_w").set_value(0.0)
    at.select_slider(key="style_content_w").set_value(0.1)
    at.button(key="style_go").click()
    at = at.run()
    assert not at.exception and at.session_state["style_recent"] == {}


def test_vgg19_without_weights_says_how_to_get_them(app, no_data):
    at = open_page(app, PAGE)
    at.selectbox(key="style_backbone").set_value("vgg19").run()
    assert not at.exception
    message = next(i.value for i in at.info if "VGG19" in i.value)
    assert "LAB_DATA_DIR" in message and "SqueezeNet, which ships with the app" in message
    assert at.button(key="style_go").disabled and at.button(key="style_compare_go").disabled


def test_a_full_queue_is_said_and_nothing_is_lost(app, monkeypatch):
    import threading
    import time

    queue = jobs.JobQueue(workers=1, capacity=1)
    monkeypatch.setattr(jobs, "_SHARED", queue)
    release = threading.Event()
    running = queue.submit("dream", lambda job: release.wait(60))  # another student's work
    while running.state == jobs.WAITING:
        time.sleep(0.01)
    queue.submit("dream", lambda job: None)  # and one waits: the line is full
    try:
        at = open_page(app, PAGE)
        _tiny(at)
        at.button(key="style_go").click()
        at = at.run()
        assert any("The server is full" in w.value for w in at.warning)
        assert at.session_state["style_recent"] == {}
        assert at.radio(key="style_drawn").value == "swirls"  # the choices are still there
    finally:
        release.set()
    assert queue.wait_idle(30)


def test_the_drawn_styles_are_offered_with_their_titles(app):
    at = open_page(app, PAGE)
    assert at.radio(key="style_drawn").options == [pictures.STYLES[n][0] for n in pictures.STYLES]
    assert view.SAMPLE_CREDIT in [img.caption for element in at.get("image")
                                  for img in element.proto.imgs]


def test_the_page_speaks_japanese(app, monkeypatch):
    at = open_page_in(app, PAGE, "ja", monkeypatch)[0]
    assert at.title[0].value.startswith("スタイル変換")
    assert at.button(key="style_go").label == "スタイル変換する"
    _tiny(at)
    at.button(key="style_go").click()
    at = finish_jobs(at.run())
    assert any("相対的な差" in c.value for c in at.caption)  # the Gram section, with its figure
    at.button(key="style_compare_go").click()
    at = finish_jobs(at.run())
    assert any("なぜでしょうか" in m.value for m in at.markdown)
