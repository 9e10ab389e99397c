"""The bad-input corpus against every page in AppTest: no exception, a message that names the
problem (shown as text: no Markdown, links or images from user data), and every other section
of the page still renders. One app per page serves all of its cases, rerun after each input."""

import os
import re
import signal
import time

import pytest
from streamlit.testing.v1 import AppTest

from core.backends.pool import START_TIMEOUT_S, shared_pool, worker_pids
from core.catalog import PAGES
from tests import bad_inputs
from tests.helpers import APP, until_backends_ready

REFUSED = ("could not be read", "cannot be used", "limit is", "megapixels", "is empty")


def open_app(path: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.switch_page(path).run()
    assert not at.exception, at.exception
    return at


def headers(at) -> list[str]:
    return [h.value for h in at.header]


def told(at) -> str:
    """Everything the page says, Markdown escapes removed."""
    parts = [e.value for group in (at.error, at.warning, at.info, at.success, at.caption,
                                   at.markdown) for e in group]
    return re.sub(r"\\(.)", r"\1", "\n".join(str(p) for p in parts))


def no_user_markup(at) -> None:
    """No message renders a link or an image that came from user data."""
    for group in (at.error, at.warning, at.info):
        for element in group:
            assert "](http://example.invalid" not in element.value, element.value


class Page:
    """A page opened once, with its sections as first rendered."""

    def __init__(self, path: str):
        self.at = open_app(path)
        self.sections = headers(self.at)

    def after(self, action) -> AppTest:
        action(self.at)
        self.at.run()
        assert not self.at.exception, self.at.exception
        no_user_markup(self.at)
        return self.at


@pytest.fixture(scope="module")
def regression():
    return Page("pages/regression.py")


@pytest.fixture(scope="module")
def autoencoders():
    return Page("pages/autoencoders.py")


@pytest.fixture(scope="module")
def customizing():
    page = Page("pages/customizing_keras.py")
    page.at.radio(key="ck_image").set_value("mine")
    page.after(lambda at: None)
    return page


@pytest.fixture(scope="module")
def deep_dream():
    return Page("pages/deep_dream.py")  # dreams on the shipped SqueezeNet weights


def _style_transfer(radio: str) -> Page:
    page = Page("pages/style_transfer.py")  # the shipped SqueezeNet and drawn styles
    page.at.radio(key=radio).set_value("upload")
    page.after(lambda at: None)
    page.sections = headers(page.at)
    return page


@pytest.fixture(scope="module")
def style_transfer_photo():
    return _style_transfer("style_source")


@pytest.fixture(scope="module")
def style_transfer_style():
    return _style_transfer("style_look")


@pytest.fixture(scope="module")
def memory_network():
    return Page("pages/memory_network.py")


def upload(key, case, name="upload.png"):
    def act(at):
        at.file_uploader(key=key).set_value((name, case.data, "application/octet-stream"))
    return act


def check_image(page, case, at) -> None:
    said = told(at).lower()
    if case.expect:
        assert case.expect.lower() in said, said
    else:
        assert not any(word in said for word in REFUSED), said
    assert headers(at) == page.sections


IMAGES = bad_inputs.image_cases()


@pytest.mark.parametrize("case", IMAGES, ids=str)
def test_autoencoders_upload(autoencoders, case):
    at = autoencoders.after(upload("ae_upload", case))
    check_image(autoencoders, case, at)
    if case.name.startswith(("16-bit", "12-bit", "32-bit")):  # once read as black
        assert any("what the model sees (28×28)" in i.captions for i in at.get("image"))


@pytest.mark.parametrize("case", IMAGES, ids=str)
def test_customizing_lrn_upload(customizing, case):
    at = customizing.after(upload("ck_upload", case))
    check_image(customizing, case, at)
    assert any("LocalResponseNormalization" in s.value for s in at.success)


@pytest.mark.parametrize("case", IMAGES, ids=str)
def test_deep_dream_upload(deep_dream, case):
    check_image(deep_dream, case, deep_dream.after(upload("dd_upload", case)))


@pytest.mark.parametrize("case", IMAGES, ids=str)
def test_style_transfer_photo_upload(style_transfer_photo, case):
    page = style_transfer_photo
    check_image(page, case, page.after(upload("style_upload", case)))


@pytest.mark.parametrize("case", IMAGES, ids=str)
def test_style_transfer_style_upload(style_transfer_style, case):
    page = style_transfer_style
    check_image(page, case, page.after(upload("style_look_upload", case)))


@pytest.mark.parametrize("case", bad_inputs.csv_cases(), ids=str)
def test_regression_upload(regression, case):
    at = regression.after(upload("aq_upload", case, "air.csv"))
    said = told(at)
    if case.expect:
        assert case.expect.lower() in said.lower(), said
    else:
        assert not any("cannot be used" in e.value for e in at.error)
    if case.kind != "csv":  # scored: a table of the two models
        assert any(set(d.value.columns) >= {"model", "rmse", "r2"} for d in at.dataframe)
    assert headers(at) == regression.sections


@pytest.mark.parametrize("case", bad_inputs.story_cases(), ids=str)
def test_memory_network_story(memory_network, case):
    story, question = case.data

    def ask(at):
        at.text_area(key="babi_story").set_value(story)
        at.text_input(key="babi_question").set_value(question)

    at = memory_network.after(ask)
    said = told(at)
    stopped = any("is empty" in w.value or "none of the words" in w.value
                  for w in at.warning)
    if case.expect:
        assert case.expect.lower() in said.lower(), said
    else:
        assert not stopped, said
    # The answer needs a story and a question: without them its sections are left out, and the
    # rest of the page (the task table, the shipped models) stays.
    answer_sections = ("3 · ", "4 · ", "5 · ")
    assert headers(at) == [h for h in memory_network.sections
                           if not (stopped and h.startswith(answer_sections))]
    if not stopped:
        assert at.metric[0].value


@pytest.mark.parametrize("case", bad_inputs.vector_cases(), ids=str)
def test_customizing_vectors(customizing, case):
    x_text, _, y_text = case.data.partition("|")

    def type_in(at):
        at.text_input(key="ck_x").set_value(x_text)
        at.text_input(key="ck_y").set_value(y_text or x_text)

    at = customizing.after(type_in)
    if case.expect:
        assert case.expect.lower() in told(at).lower()
        assert len(at.metric) == 0
    else:
        model, numpy, _ = (m.value for m in at.metric[:3])
        assert float(numpy) == pytest.approx(float(model), rel=1e-5)
    assert headers(at) == customizing.sections


@pytest.fixture(scope="module")
def functional_api():
    return Page("pages/functional_api.py")


@pytest.mark.parametrize("case", bad_inputs.setting_cases(), ids=str)
def test_functional_api_extremes(functional_api, case):
    depth, units, separate = case.data

    def build(at):
        at.slider(key="fa_depth").set_value(depth)
        at.run()
        for i in range(depth):
            at.select_slider(key=f"fa_units_{i}").set_value(units)
        at.toggle(key="fa_separate").set_value(separate)

    at = functional_api.after(build)
    sizes = [784, *[units] * depth, 10]
    expected = sum((a + 1) * b for a, b in zip(sizes, sizes[1:], strict=False))
    assert next(m for m in at.metric if m.label == "Parameters in your network").value \
        == f"{expected:,}"
    assert headers(at) == functional_api.sections


@pytest.fixture(scope="module")
def sequence_autoencoders():
    return Page("pages/sequence_autoencoders.py")


@pytest.mark.parametrize("case", bad_inputs.csv_cases(), ids=str)
def test_sequence_autoencoders_upload(sequence_autoencoders, case):
    at = sequence_autoencoders.after(upload("sa_upload", case, "air.csv"))
    said = told(at)
    if case.kind == "csv" and "C6H6" not in case.expect:  # benzene: the Regression page's
        assert case.expect.lower() in said.lower(), said
    else:  # too short to hold a whole day, or scored: either way it says which
        assert "has all 24 hourly rows" in said or any(
            m.label == "Complete days" for m in at.metric), said
    assert headers(at) == sequence_autoencoders.sections


@pytest.mark.parametrize("case", bad_inputs.story_cases(), ids=str)
def test_sequence_autoencoders_sentence(sequence_autoencoders, case):
    sentence = " ".join(part for part in case.data if part)
    at = sequence_autoencoders.after(
        lambda at: at.text_input(key="sa_sentence").set_value(sentence))
    from core.babi.data import words
    from core.sequence_autoencoder import sentences

    known = sentences.load_shipped()[1].index
    for typed, word in words(sentence):
        if word not in known:
            assert typed in told(at), (typed, told(at))  # unknown words named as typed
    assert headers(at) == sequence_autoencoders.sections


@pytest.fixture(scope="module")
def features():
    page = Page("pages/features.py")
    page.at.radio(key="ft_source").set_value("upload")
    page.after(lambda at: None)
    return page


@pytest.mark.parametrize("case", IMAGES, ids=str)
def test_features_upload(features, case):
    check_image(features, case, features.after(upload("ft_upload", case)))


@pytest.fixture(scope="module")
def gan():
    return Page("pages/gan.py")


@pytest.mark.parametrize("rate", ["nan", "inf", "-inf", "0", "-0.1", "2", "abc", "", "1e-3",
                                  "0,002", "١٢"])
def test_gan_learning_rates(gan, rate):
    at = gan.after(lambda at: at.text_input(key="gan_d_lr").set_value(rate))
    usable = rate in ("1e-3", "0,002")
    warned = [w.value for w in at.warning if "discriminator's learning rate" in w.value]
    assert bool(warned) != usable, warned
    assert at.button(key="gan_start").disabled != usable
    assert headers(at) == gan.sections


@pytest.fixture(scope="module")
def backends():
    page = Page("pages/backends.py")  # the workers of every installed backend, shared
    until_backends_ready(page.at)
    page.sections = headers(page.at)
    return page


def _all_answered(at) -> None:
    ran = next(m for m in at.metric if m.label == "Backends that ran it").value
    done, total = ran.split(" / ")
    assert done == total, ran
    assert not [w.value for w in at.warning if "worker" in w.value]


# A number input refuses what is out of its range (0–9999): the page goes on with its default.
@pytest.mark.parametrize("case", ["distance", "lrn", "model"])
@pytest.mark.parametrize("seed", [-1, 0, 9999, 10000, 2**31])
def test_backends_seeds(backends, case, seed):
    def choose(at):
        at.segmented_control(key="be_case").set_value(case)
        at.number_input(key="be_seed").set_value(seed)
        at.number_input(key="be_book_seed").set_value(seed)

    at = backends.after(choose)
    used = at.number_input(key="be_seed").value
    assert 0 <= used <= 9999 and (used == seed or not 0 <= seed <= 9999)
    assert 0 <= at.number_input(key="be_book_seed").value <= 9999
    if case == "distance":  # the inputs shown are the seed's
        from core.backends import cases

        x, y = cases.distance_inputs(used)
        assert f"x = {x.astype(int).tolist()}" in told(at)
    _all_answered(at)
    assert headers(at) == backends.sections


def test_backends_a_dead_worker(backends):
    """A worker killed (out of memory, say): the next click says so, and the one after works."""
    worker = shared_pool().workers["tensorflow"]
    pid = worker.pid
    assert pid in worker_pids(os.getpid())
    os.kill(pid, signal.SIGKILL)
    while worker.state != "stopped":
        time.sleep(0.1)
    at = backends.at
    at.number_input(key="be_seed").set_value(7).run(timeout=600)  # a fresh worker starts
    assert not at.exception, at.exception
    said = [w.value for w in at.warning]
    assert any(w.startswith("The TensorFlow worker stopped (exit code -9 (SIGKILL))")
               for w in said), said
    assert "stopped (exit code -9 (SIGKILL))" in at.dataframe[0].value["worker"].tolist()
    assert headers(at) == backends.sections
    at = backends.after(lambda at: at.number_input(key="be_seed").set_value(8))
    _all_answered(at)
    assert worker.pid not in (None, pid)


def test_backends_a_worker_that_did_not_start(backends):
    """A start too slow for its timeout: section 1 says so and offers to start it again."""
    worker = shared_pool().workers["tensorflow"]
    try:
        worker.start_timeout = 0.5
        os.kill(worker.pid, signal.SIGKILL)
        while worker.state != "stopped":
            time.sleep(0.1)
        at = backends.after(lambda at: at.number_input(key="be_seed").set_value(9))
        assert worker.state == "failed"
        at = backends.after(lambda at: None)
        said = [w.value for w in at.warning]
        assert any(w.startswith("The TensorFlow worker did not start within 0 s") for w in said)
        assert at.button(key="be_retry_tensorflow").label == "Start the TensorFlow worker again"
        worker.start_timeout = START_TIMEOUT_S
        at.button(key="be_retry_tensorflow").click().run()
        assert not at.exception, at.exception
        until_backends_ready(at)
        _all_answered(at)
        assert headers(at) == backends.sections
    finally:
        worker.start_timeout = START_TIMEOUT_S


def test_every_page_is_covered():
    covered = {"pages/regression.py", "pages/autoencoders.py", "pages/customizing_keras.py",
               "pages/deep_dream.py", "pages/memory_network.py", "pages/functional_api.py",
               "pages/sequence_autoencoders.py", "pages/style_transfer.py", "pages/gan.py",
               "pages/features.py", "pages/backends.py"}
    assert covered == {p.path for p in PAGES}
