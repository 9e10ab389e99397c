"""The memory network page in AppTest, with the bAbI data and without it."""

import pytest

from core.babi import answer, training
from core.cards import read_card
from tests.helpers import open_page

PAGE = "pages/memory_network.py"


def ask(at, story: str, question: str):
    at.text_area(key="babi_story").set_value(story)
    at.text_input(key="babi_question").set_value(question)
    at.run()
    assert not at.exception, at.exception
    return at


def test_the_chapters_story_gets_hallway(app, data_dir):
    story = "John travelled to the hallway.\nMary journeyed to the bathroom."
    at = ask(open_page(app, PAGE), story, "Where is John?")
    assert at.metric[0].value == "hallway"
    assert not at.warning
    assert len(at.metric) == 3  # the memory network, then the book vs memory network panel


def test_unknown_words_are_pointed_out_with_the_vocabulary(app, data_dir):
    at = ask(open_page(app, PAGE), "john travelled to the moon", "where is john")
    assert any("moon" in w.value for w in at.warning)
    assert any("words task 1 knows" in e.label for e in at.expander)


@pytest.mark.parametrize(("story", "question", "message"), [
    ("", "where is john", "story is empty"),
    ("john went to the kitchen", "?!", "question is empty"),
])
def test_empty_inputs_get_a_clear_message(app, data_dir, story, question, message):
    at = ask(open_page(app, PAGE), story, question)
    assert any(message in w.value for w in at.warning)
    assert not at.metric


def test_a_story_longer_than_the_memory_is_cut_with_a_note(app, data_dir):
    at = open_page(app, PAGE)
    size = answer.load(1)[1].memory_size
    at = ask(at, "\n".join(["mary went to the office"] * (size + 2)), "where is mary")
    assert any("first 2 are left out" in i.value for i in at.info)
    assert at.metric[0].value == "office"


def test_new_story_comes_from_the_validation_stories(app, data_dir):
    at = open_page(app, PAGE)
    at.radio(key="babi_task").set_value(2).run()
    at.button(key="babi_new").click().run()
    assert not at.exception, at.exception
    assert at.text_input(key="babi_question").value.startswith("where is the")
    assert any("bAbI file says" in m.value for m in [*at.success, *at.error])


def test_switching_task_tells_a_story_for_that_task(app, data_dir):
    at = open_page(app, PAGE)
    at.radio(key="babi_task").set_value(3).run()
    assert not at.exception, at.exception
    assert at.text_input(key="babi_question").value.startswith("where was the")
    assert at.metric[0].value  # an answer, whatever the story's length
    assert any("Where each hop looked" in h.value for h in at.header)


def test_without_data_the_generator_tells_new_stories(app, no_data):
    at = open_page(app, PAGE)
    assert any("Facebook bAbI" in i.value for i in at.info)
    at.button(key="babi_new").click().run()
    assert not at.exception, at.exception
    assert any("generator says" in m.value for m in [*at.success, *at.error])


@pytest.mark.parametrize(("task", "kind"), [(1, "memn2n"), (2, "memn2n"), (3, "memn2n"),
                                            (1, "book")])
def test_shipped_model_reaches_its_cards_validation_accuracy(data_dir, task, kind):
    card = read_card(answer.card_path(task, kind), answer.BabiCard)
    measured = training.validation_accuracy(task, kind, data_dir)
    assert measured["questions"] == card.validation["questions"]
    assert measured["accuracy"] >= card.validation["accuracy"] - 0.005
    low, high = card.validation.get("ci95", (0.0, 1.0))
    assert low <= measured["accuracy"] <= high
