"""AppTest: the Functional API page follows the book, the proof and the builder's choices."""

from tests.helpers import open_page, open_page_in

PAGE = "pages/functional_api.py"


def _metric(at, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def _chapter_functional_code(at) -> str:
    return next(c.value for c in at.code if "keras.Model(inputs=inputs" in c.value)


def _dense_parameters(sizes: list[int]) -> int:
    return sum((a + 1) * b for a, b in zip(sizes, sizes[1:], strict=False))


def _chapter_sequential_code(at) -> str:
    return next(c.value for c in at.code if "model = keras.Sequential([" in c.value)


def test_the_book_twins_are_identical_and_the_guides_relu_listing_is_not(app):
    at = open_page(app, PAGE)
    chapter = [m.value for m in at.metric if m.label == "Parameters"][:2]
    assert chapter == [f"{_dense_parameters([784, 32, 10]):,}"] * 2
    assert len(at.get("graphviz_chart")) >= 4  # two twins, the builder, the two-digit model
    assert _metric(at, "max |difference| after copying") == "0"
    assert float(_metric(at, "max |difference| before copying")) > 0
    assert any("Identical to the last bit" in s.value for s in at.success)
    assert 'layers.Activation("sigmoid")(x)' in _chapter_functional_code(at)  # the book's
    assert 'layers.Activation("sigmoid"),' in _chapter_sequential_code(at)

    at.toggle(key="fa_guide_relu").set_value(True).run()
    assert not at.exception
    assert 'layers.Activation("relu"),' in _chapter_sequential_code(at)
    assert 'layers.Activation("sigmoid")(x)' in _chapter_functional_code(at)
    assert float(_metric(at, "max |difference| after copying")) > 0
    assert any("relu" in e.value and "sigmoid" in e.value for e in at.error)
    assert [m.value for m in at.metric if m.label == "Parameters"][:2] == chapter

    at.button(key="fa_new_weights").click().run()  # the proof still holds, or fails
    assert not at.exception
    at.toggle(key="fa_guide_relu").set_value(False).run()
    assert _metric(at, "max |difference| after copying") == "0"


def test_where_each_listing_comes_from_and_why_g(app, no_data):
    at = open_page(app, PAGE)
    text = " ".join(m.value for m in at.markdown)
    assert "ch07/functional_api.py" in text and "Chapter07/func-api-seq.py" in text
    assert "keras.io" in text and "fix the book" not in text
    assert "Keras 3 still builds that listing (25,450 parameters), with a warning" in text
    box = next(m.value for m in at.markdown if "A reader asks" in m.value)
    assert "`g`" in box
    assert any("y = s_K(f(s_2(g(x))))" in m.value for m in at.markdown)


def test_builder_parameter_count_and_code_follow_the_choices(app):
    at = open_page(app, PAGE)
    assert _metric(at, "Parameters in your network") == f"{_dense_parameters([784, 32, 10]):,}"

    at.slider(key="fa_depth").set_value(3).run()
    at.select_slider(key="fa_units_1").set_value(128).run()
    at.select_slider(key="fa_units_2").set_value(8).run()
    at.selectbox(key="fa_act_2").set_value("tanh").run()
    assert not at.exception
    expected = f"{_dense_parameters([784, 32, 128, 8, 10]):,}"
    assert _metric(at, "Parameters in your network") == expected
    codes = [c.value for c in at.code]
    assert any("layers.Dense(128)," in c and 'layers.Activation("tanh"),' in c for c in codes)
    assert any('layers.Activation("tanh")(x)' in c for c in codes)

    at.toggle(key="fa_separate").set_value(False).run()
    assert _metric(at, "Parameters in your network") == expected  # activations hold no weights
    assert any('layers.Dense(8, activation="tanh")(x)' in c.value for c in at.code)

    at.slider(key="fa_depth").set_value(1).run()
    assert _metric(at, "Parameters in your network") == f"{_dense_parameters([784, 32, 10]):,}"
    assert not at.exception


def test_page_needs_no_data(app, no_data):
    at = open_page(app, PAGE)
    assert not any("not available" in i.value for i in at.info)
    assert any("def two_digit_model" in c.value for c in at.code)
    two_digit = (_dense_parameters([784, 32]) + _dense_parameters([64, 64])
                 + _dense_parameters([64, 1]) + _dense_parameters([64, 19]))
    assert [m.value for m in at.metric if m.label == "Parameters"][-1] == f"{two_digit:,}"


def test_the_page_reads_in_japanese(app, no_data, monkeypatch):
    at, shown = open_page_in(app, PAGE, "ja", monkeypatch)
    assert at.title[0].value == "Functional API と Sequential モデル"
    assert "関数の合成" in shown
