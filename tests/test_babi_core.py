"""bAbI: parsing, vectorization, the story generator, the memory network on tiny examples."""

import inspect
import json
from pathlib import Path

import keras
import numpy as np
import pytest

from core.babi import answering, book, data, generator, model, training, vectorize, view
from core.babi.data import Example
from core.babi.vectorize import Vocabulary
from core.cli import main

TINY = Path(__file__).parent / "fixtures" / "babi" / "tiny_qa1.txt"


@pytest.fixture(scope="module")
def tiny() -> list[Example]:
    return data.parse_file(TINY)


def test_a_story_is_every_statement_since_the_numbering_restarts(tiny):
    assert len(tiny) == 5
    third = tiny[2]  # "where is john" after 4 statements: all of them, not the last two
    assert third.story == (("john", "travelled", "to", "the", "hallway"),
                           ("mary", "journeyed", "to", "the", "bathroom"),
                           ("daniel", "went", "back", "to", "the", "office"),
                           ("john", "moved", "to", "the", "garden"))
    assert third.question == ("where", "is", "john") and third.answer == "garden"
    assert tiny[3].story_id == 1 and len(tiny[3].story) == 2  # a new story starts at 1


def test_supporting_ids_point_at_statements_not_questions(tiny):
    # line 5 is the 4th statement (line 3 was a question): index 3 in the story
    assert tiny[2].supporting == (3,)
    for e in tiny:
        assert all(e.answer in e.story[i] for i in e.supporting)


def test_malformed_files_say_which_line(tmp_path):
    bad = tmp_path / "bad.txt"
    bad.write_text("1 John went home.\nhello there\n")
    with pytest.raises(data.BabiFormatError, match="line 2"):
        data.parse_file(bad)
    bad.write_text("1 John went home.\n2 Where is John?\thome\t7\n")
    with pytest.raises(data.BabiFormatError, match="supporting"):
        data.parse_file(bad)
    bad.write_bytes(b"\xff\xfe\x00binary")
    with pytest.raises(data.BabiFormatError):
        data.parse_file(bad)


def test_typed_text_is_normalized():
    assert data.tokenize("Where is John?") == ("where", "is", "john")
    assert answering.split_story("John went to the hallway.\n\n  MARY went home!  Bob left") == [
        ("john", "went", "to", "the", "hallway"), ("mary", "went", "home"), ("bob", "left")]
    assert answering.split_story("1 John went to the hallway.") == [
        ("john", "went", "to", "the", "hallway")]


def test_validation_split_keeps_whole_stories_apart(tiny):
    train, validation = data.split_by_story(tiny * 1, fraction=0.5, seed=1)
    assert {e.story_id for e in train}.isdisjoint({e.story_id for e in validation})
    assert len(train) + len(validation) == len(tiny)


def test_vectorization_puts_the_latest_statement_first_and_caps_memory(tiny, tmp_path):
    vocab = Vocabulary.build(tiny, memory_size=3)
    arrays = vectorize.encode(tiny, vocab)
    index = vocab.index
    third = arrays["story"][2]  # 4 statements, memory 3: the first is left out
    assert third.shape == (3, vocab.sentence_size)
    assert [vocab.words[i] for i in third[0] if i] == ["john", "moved", "to", "the", "garden"]
    assert [vocab.words[i] for i in third[2] if i][0] == "mary"
    assert arrays["answer"][2] == index["garden"]
    vocab.save(tmp_path / "v.json")
    assert Vocabulary.load(tmp_path / "v.json") == vocab
    assert json.loads((tmp_path / "v.json").read_text())["memory_size"] == 3


def test_random_noise_only_moves_statements_back_in_order(tiny):
    vocab = Vocabulary.build(tiny, memory_size=10)
    stories = vectorize.encode(tiny, vocab)["story"]
    noisy = vectorize.add_empty_memories(stories, 0.5, np.random.default_rng(0))
    for before, after in zip(stories, noisy, strict=True):
        kept = [tuple(r) for r in after if r.any()]
        assert kept == [tuple(r) for r in before if r.any()][: len(kept)]
    assert not np.array_equal(noisy, stories)


# Every word of bAbI tasks 1-3 (their training files' vocabulary, written out by hand)
BABI_WORDS = {
    "apple", "back", "bathroom", "bedroom", "before", "daniel", "discarded", "down", "dropped",
    "football", "garden", "got", "grabbed", "hallway", "is", "john", "journeyed", "kitchen",
    "left", "mary", "milk", "moved", "office", "picked", "put", "sandra", "the", "there", "to",
    "took", "travelled", "up", "was", "went", "where"}
OBJECT_WORDS = {"got", "grabbed", "picked", "took", "dropped", "discarded", "left", "put"}


@pytest.mark.parametrize("task", [1, 2, 3])
def test_generated_stories_are_valid_and_the_answer_follows(task):
    for seed in range(40):
        e = generator.story(task, seed)
        used = {w for s in e.story for w in s} | set(e.question)
        assert used <= BABI_WORDS
        assert task > 1 or not used & OBJECT_WORDS  # task 1: people only move
        assert e.answer in generator.PLACES
        assert e.supporting and all(0 <= i < len(e.story) for i in e.supporting)
        assert _solve(e) == e.answer, (seed, e)
        if task == 3:  # bAbI's shape: one person's pick-up or drop, and two of their moves
            facts = [e.story[i] for i in e.supporting]
            assert len(facts) == 3 and len({f[0] for f in facts}) == 1
            assert sum(f[1] in OBJECT_WORDS for f in facts) == 1
            assert len(e.story) - max(e.supporting) <= 5  # asked soon after, as bAbI does
    many = generator.examples(task, 30, seed=1)
    assert len(many) == 30 and len({e.story_id for e in many}) >= 6


def _solve(e: Example) -> str:
    """An independent reading of the story: replay it word by word."""
    where, holder, trail = {}, {}, {}
    for s in e.story:
        person, last = s[0], s[-1] if s[-1] != "there" else s[-2]
        if last in generator.PLACES:
            where[person] = last
            for obj, h in holder.items():
                if h == person and trail[obj][-1] != last:
                    trail[obj].append(last)
        elif s[1] in ("dropped", "discarded", "left", "put"):
            holder[last] = None
        else:
            holder[last] = person
            trail.setdefault(last, [])
            if not trail[last] or trail[last][-1] != where[person]:
                trail[last].append(where[person])
    target = e.question[3] if e.question[2] == "the" else e.question[2]
    if e.question[1] == "is" and e.question[2] != "the":
        return where[target]
    if e.question[1] == "is":
        return trail[target][-1]
    here = e.question[-1]  # "before the X": the place before the object's latest visit to X
    visits = trail[target]
    return visits[len(visits) - 1 - visits[::-1].index(here) - 1]


def test_position_encoding_matches_the_paper():
    pe = model.position_encoding(4, 2)
    j, k = 2, 1  # l_kj = (1 - j/J) - (k/d)(1 - 2j/J), 1-based
    assert pe[j - 1, k - 1] == pytest.approx((1 - j / 4) - (k / 2) * (1 - 2 * j / 4))


def test_attention_spreads_over_present_memories_only(tiny, tmp_path):
    vocab = Vocabulary.build(tiny, memory_size=6)
    arrays = vectorize.encode(tiny, vocab)
    net = model.build(len(vocab), vocab.memory_size, vocab.sentence_size, dim=8, hops=2)
    probs, attention = net.predict({"story": arrays["story"], "question": arrays["question"]},
                                   verbose=0)
    assert probs.shape == (5, len(vocab)) and attention.shape == (5, 2, 6)
    np.testing.assert_allclose(attention.sum(axis=2), 1.0, atol=1e-5)
    assert np.all(attention[2, :, 4:] == 0)  # the 3rd question's story has 4 statements
    net.save(tmp_path / "m.keras")
    again = keras.saving.load_model(tmp_path / "m.keras")
    np.testing.assert_allclose(again.predict({"story": arrays["story"],
                                              "question": arrays["question"]}, verbose=0)[1],
                               attention, rtol=1e-5)


def test_a_small_memory_network_learns_task_1_from_generated_stories():
    from core.babi import training

    stories = generator.examples(1, 2400, seed=3)
    vocab = Vocabulary.build(stories, memory_size=10)
    train, validation = data.split_by_story(stories, fraction=0.2, seed=0)
    recipe = training.Recipe(dim=20, epochs=8, linear_epochs=2, batch_size=64,
                             learning_rate=0.02)
    net, info = training.fit(vectorize.encode(train, vocab), vectorize.encode(validation, vocab),
                             vocab, recipe, log=lambda _: None)
    assert training.accuracy(net, vectorize.encode(validation, vocab)) > 0.85
    assert info["best_epoch"] > recipe.linear_epochs


def test_accuracy_intervals_narrow_with_more_questions():
    from core.babi import training

    small, large = training.interval95(0.86, 100), training.interval95(0.86, 1000)
    assert small[0] < large[0] < 0.86 < large[1] < small[1]
    assert large[1] - large[0] == pytest.approx(0.043, abs=0.003)  # about ±2 points
    assert training.interval95(1.0, 1000)[1] == 1.0


def test_task_3_keeps_every_real_question_for_validation(tiny):
    assert data.validation_split(3, tiny) == ([], tiny)
    train, validation = data.validation_split(1, tiny)
    assert train and validation


def test_the_books_window_holds_the_last_two_statements(tiny):
    vocab = Vocabulary.build(tiny)
    arrays = book.encode(tiny, vocab)
    words = [vocab.words[i] for i in arrays["story"][2] if i]
    assert words == ["daniel", "went", "back", "to", "the", "office",
                     "john", "moved", "to", "the", "garden"]
    net = book.build(vocab)
    assert net.predict({"story": arrays["story"], "question": arrays["question"]},
                       verbose=0).shape == (5, len(vocab))


def test_reading_typed_input_reports_problems():
    vocab = training.load_shipped(1)[1]
    reading = answering.read("John went to the Moon.\nMary moved to the kitchen", "Where is John?",
                          vocab)
    assert reading.question == ("where", "is", "john") and reading.unknown == ["Moon"]
    assert answering.read("", "where is john", vocab).problems
    assert answering.read("john went to the kitchen", "  ?! ", vocab).problems
    long = "\n".join(["mary went to the office"] * (vocab.memory_size + 3))
    assert answering.read(long, "where is mary", vocab).dropped == 3


@pytest.mark.parametrize("task", [1, 2, 3])
def test_shipped_models_answer_the_chapters_kind_of_question(task):
    net, vocab, _ = training.load_shipped(task)
    story = answering.split_story("john travelled to the hallway\nmary journeyed to the bathroom")
    result = answering.answer(net, vocab, story, ("where", "is", "john"))
    assert result.attention.shape == (3, 2)
    if task == 1:
        assert result.ranking[0][0] == "hallway"
        assert result.attention[-1].argmax() == 0  # the last hop looks at john's statement


def test_cli_evaluate_prints_json_last(capsys):
    assert main(["evaluate", "babi", "--task", "1", "--data", str(TINY)]) == 0
    last = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert last["task"] == 1 and last["questions"] == 5
    assert 0.8 <= last["accuracy"] <= 1.0


def test_cli_evaluate_rejects_a_malformed_file(tmp_path, capsys):
    bad = tmp_path / "bad.txt"
    bad.write_text("not babi\n")
    assert main(["evaluate", "babi", "--task", "1", "--data", str(bad)]) == 2
    assert "line 1" in capsys.readouterr().err


def test_what_the_page_draws_of_an_answer():
    story = [("mary", "went", "home"), ("john", "went", "out"), ("sandra", "left")]
    result = answering.Answer([("home", 0.9), ("out", 0.1)],
                         np.array([[0.7, 0.2, 0.1], [0.005, 0.99, 0.005]]), first_kept=0)
    frame = view.attention_frame(result, story, supporting={1})
    assert len(frame) == 6 and frame.loc[1, "statement"] == "★ 2. john went out"
    assert frame["attention"].tolist()[:3] == [0.7, 0.2, 0.1]
    long = story * 5  # past 12 statements only what some hop looked at, and the facts, remain
    wide = answering.Answer(result.ranking, np.tile(result.attention, 5) / 20, first_kept=0)
    assert view.shown_statements(wide, long, {14}) == [0, 1, 3, 4, 6, 7, 9, 10, 12, 13, 14]
    chart = view.attention_chart(frame).to_dict()
    assert chart["layer"][0]["encoding"]["y"]["sort"] == list(dict.fromkeys(frame["statement"]))
    bars = view.ranking_chart(result.ranking).to_dict()
    assert bars["title"] == "The five most likely answers"


def test_an_example_stays_known_only_while_it_is_untouched():
    vocab = training.load_shipped(1)[1]
    example = generator.story(1, seed=3)
    text = data.story_text(example)
    chosen = (1, example, "babi")
    reading = answering.read(text, " ".join(example.question), vocab)
    assert view.known_example(chosen, 1, text + "\n", reading) == chosen
    assert view.known_example(chosen, 2, text, reading) is None  # another task
    edited = answering.read(text + "\nmary went home", " ".join(example.question), vocab)
    assert view.known_example(chosen, 1, text + "\nmary went home", edited) is None
    assert view.known_example(None, 1, text, reading) is None


def test_the_page_shows_the_build_that_runs():
    code = view.build_code()
    assert code.startswith("def build(vocab_size: int, memory_size: int, sentence_size: int")
    assert code == inspect.getsource(model.build)
