"""AppTest: the Customizing Keras page, with the MNIST data and without any data."""

from tests.helpers import finish_jobs, open_page, open_page_in

PAGE = "pages/customizing_keras.py"


def _run_lab(at, initializers, steps=100):
    at.multiselect(key="ck_initializers").set_value(initializers)
    next(s for s in at.select_slider if s.label.startswith("SGD steps")).set_value(steps)
    next(s for s in at.slider if s.label.startswith("Hidden layers")).set_value(2)
    next(b for b in at.button if b.label == "Run the experiment").click()
    at.run()
    assert not at.exception, at.exception
    return finish_jobs(at)


def test_distance_checked_against_numpy_and_bad_vectors_explained(app, data_dir):
    at = open_page(app, PAGE)
    model, numpy, _ = (m.value for m in at.metric)
    assert model == numpy  # defaults: (1, 2, 3, 4) and (4, 6, 3, 0), distance sqrt(41)
    assert float(numpy) == round(41 ** 0.5, 5)
    # the real refusal, shown as the lesson it is (an info box), not as an error
    assert any("safe_mode=False" in i.value and "lesson" in i.value for i in at.info)
    assert not at.error
    at.text_input(key="ck_x").set_value("1, 2").run()
    assert any("same length" in w.value for w in at.warning)
    at.text_input(key="ck_x").set_value("1, apple").run()
    assert any("'apple' is not a number" in w.value for w in at.warning)
    assert not at.exception


def test_lrn_round_trip_and_ops_table_shown(app, data_dir):
    at = open_page(app, PAGE)
    assert any("LocalResponseNormalization" in s.value and "exactly" in s.value
               for s in at.success)
    table = next(m.value for m in at.markdown if "Keras 2 backend" in m.value)
    assert "ops.matmul" in table and "[[ 4.,  2.], [10.,  5.]]" in table
    alpha = next(s for s in at.select_slider if s.label == "alpha")
    alpha.set_value(0.01).run()
    assert not at.exception
    assert any('"alpha"' in j.proto.body and "0.01" in j.proto.body for j in at.json)
    assert any(s.value.startswith("Loaded back as `core.customizing.lrn.LocalResponse")
               for s in at.success)  # the book's layer first
    for variant, layer in (("english", "ChannelSumLRN"), ("alexnet", "AcrossChannelLRN")):
        at.radio(key="ck_lrn").set_value(variant).run()
        assert not at.exception
        assert any(f"`core.customizing.lrn.{layer}`" in s.value and "exactly" in s.value
                   for s in at.success)


def test_the_readers_questions_are_answered_beside_the_code(app, no_data):
    at = open_page(app, PAGE)
    boxes = [m.value for m in at.markdown if "A reader asks" in m.value]
    assert len(boxes) == 2
    answers = " ".join(m.value for m in at.markdown)
    assert "This server runs on **tensorflow**" in answers
    assert "he_normal" in answers and "glorot_uniform" in answers
    # the Backends page (issue 22) is in the navigation: the answer links to it
    links = [link.proto.page for link in at.get("page_link")]
    assert "backends" in links


def test_initializer_lab_on_mnist(app, data_dir):
    at = open_page(app, PAGE)
    assert any("Run the experiment" in i.value for i in at.info)
    at = _run_lab(at, ["zeros", "he_normal"])
    summary = at.dataframe[-1].value
    assert summary["initializer"].tolist() == ["zeros", "he_normal"]
    zeros, he = summary["val_accuracy"].tolist()
    assert he > 0.5 > zeros  # he_normal learns digits in 100 steps; all-zero weights do not
    assert any("no gradient reaches any kernel" in c.value for c in at.caption)
    assert any("MNIST digits" in c.value for c in at.caption)
    gap = next(c.value for c in at.caption if "Largest gap in this run: he_normal" in c.value)
    assert "×" in gap  # zeros has no spread: only he_normal is compared


def test_page_without_data_falls_back_to_synthetic_digits(app, no_data):
    at = open_page(app, PAGE)
    assert any("MNIST digits" in i.value for i in at.info)
    at = _run_lab(at, ["glorot_uniform"])
    assert any("synthetic stand-in digits" in c.value for c in at.caption)
    assert at.dataframe[-1].value["initializer"].tolist() == ["glorot_uniform"]


def test_empty_selection_is_a_warning(app, data_dir):
    at = _run_lab(open_page(app, PAGE), [])
    assert any("at least one initializer" in w.value for w in at.warning)


def test_the_page_reads_in_japanese(app, no_data, monkeypatch):
    at, shown = open_page_in(app, PAGE, "ja", monkeypatch)
    assert at.title[0].value == "Keras のカスタマイズ"
    assert "局所応答正規化（LRN）" in shown
