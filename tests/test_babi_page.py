"""The memory network page in AppTest, with the bAbI data and without it."""

import pytest

from core.babi import examples, training
from core.babi.data import TASKS
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
    size = training.load_shipped(1)[1].memory_size
    at = ask(at, "\n".join(["mary went to the office"] * (size + 2)), "where is mary")
    assert any("first 2 are left out" in i.value for i in at.info)
    assert at.metric[0].value == "office"


def test_new_story_comes_from_the_validation_stories(app, data_dir):
    at = open_page(app, PAGE)
    at.selectbox(key="babi_task").set_value(2).run()
    at.button(key="babi_new").click().run()
    assert not at.exception, at.exception
    assert at.text_input(key="babi_question").value.startswith("where is the")
    assert any("bAbI file says" in m.value for m in [*at.success, *at.error])


@pytest.mark.parametrize(("task", "question"), [(3, "where was the"), (8, "what is"),
                                                (19, "how do you go from the")])
def test_switching_task_tells_a_story_for_that_task(app, data_dir, task, question):
    at = open_page(app, PAGE)
    at.selectbox(key="babi_task").set_value(task).run()
    assert not at.exception, at.exception
    assert at.text_input(key="babi_question").value.startswith(question)
    assert at.metric[0].value  # an answer, whatever the story's length
    assert "%" in at.metric[0].delta  # with its probability
    assert any("Where each hop looked" in h.value for h in at.header)
    assert any("bAbI file says" in m.value for m in [*at.success, *at.error])
    assert any(TASKS[task][1] in o for o in at.selectbox(key="babi_task").options)


@pytest.mark.parametrize("task", [1, 17, 19])
def test_without_data_the_shipped_examples_tell_new_stories(app, no_data, task):
    at = open_page(app, PAGE)
    assert any("Facebook bAbI" in i.value for i in at.info)
    if task != 1:
        at.selectbox(key="babi_task").set_value(task).run()
    at.button(key="babi_new").click().run()
    assert not at.exception, at.exception
    question = at.text_input(key="babi_question").value
    assert question in {" ".join(e.question) for e in examples.load(task)}
    verdicts = [m.value for m in [*at.success, *at.error]]
    assert any("example shipped with the app says" in v for v in verdicts)
    assert any("CC BY 3.0" in c.value for c in at.caption)


def test_the_table_sets_every_task_beside_the_published_memory_networks(app, no_data):
    at = open_page(app, PAGE)
    anchors, tasks = (frame.value for frame in at.dataframe[-2:])
    assert list(tasks["task"]) == list(TASKS)
    assert "DMN+ (Xiong et al. 2016)" in set(anchors["model"])
    ours = anchors[anchors["model"].str.startswith("these models")]
    assert ours["mean error"].iloc[0] == pytest.approx(tasks["error"].mean())


@pytest.mark.parametrize(("task", "kind"), [(1, "book"), (16, "answer-only")])
def test_shipped_model_reaches_its_cards_validation_accuracy(data_dir, task, kind):
    card = read_card(training.card_path(task, kind), training.BabiCard)
    measured = training.validation_accuracy(task, kind, data_dir)
    assert measured["questions"] == card.validation["questions"]
    assert measured["accuracy"] == pytest.approx(card.validation["accuracy"], abs=0.005)
    low, high = card.validation["ci95"]
    assert low <= measured["accuracy"] <= high


HEADERS = ["pick-a-task", "story-and-question", "the-answer", "attention-hops",
           "book-vs-memory-network", "beyond-the-paper", "all-20-tasks"]
SUBHEADERS = ["book-network", "memory-network"]


def test_every_section_has_its_stable_anchor(app, no_data):
    at = open_page(app, PAGE)
    assert [h.proto.anchor for h in at.header] == HEADERS
    assert [h.proto.anchor for h in at.subheader] == SUBHEADERS


def test_the_figures_in_the_prose_are_the_cards(app, no_data):
    at = open_page(app, PAGE)
    card = training.load_shipped(1)[2]
    shipped = next(c.value for c in at.caption if c.value.startswith("Shipped model"))
    assert (f"{card.validation['accuracy']:.1%} right on {card.validation['questions']:,} "
            f"held-out validation questions") in shipped
    minutes = max(read_card(training.card_path(t), training.BabiCard).training_seconds
                  for t in TASKS) / 60
    said = " ".join(m.value for m in at.markdown)
    assert f"the longest in {minutes:.0f} minutes" in said
    example = examples.load(16)[0]
    chain = " → ".join(f"*{' '.join(example.story[i])}*" for i in example.supporting)
    assert f"{chain} → *{example.answer}*" in said


@pytest.mark.parametrize(("task", "told"), [(2, False), (16, True)])
def test_the_stars_say_whether_the_hops_were_told_where_to_look(app, no_data, task, told):
    at = open_page(app, PAGE)
    at.selectbox(key="babi_task").set_value(task).run()  # a shipped story, supporting facts known
    assert not at.exception, at.exception
    star = next(c.value for c in at.caption if c.value.startswith("★"))
    assert ("shown those statements during training" in star) is told
    assert ("learnt from the answers alone" in star) is not told
