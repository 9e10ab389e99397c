"""All 20 bAbI tasks: every file format parses and vectorizes, the generic memory network and its
extensions build and save, the shipped examples, and `evaluate babi --all`."""

import json
import shutil
from dataclasses import asdict
from pathlib import Path

import keras
import numpy as np
import pytest

from core import cards
from core.babi import answering, data, examples, model, training, vectorize, view
from core.babi import cli as babi_cli
from core.babi.vectorize import Vocabulary
from core.cli import main

FORMATS = Path(__file__).parent / "fixtures" / "babi" / "formats"


def sample(task: int) -> Path:
    return FORMATS / f"{data.TASKS[task][0]}_sample.txt"


@pytest.mark.parametrize("task", list(data.TASKS))
def test_every_tasks_format_parses_and_vectorizes(task):
    parsed = data.parse_file(sample(task))
    assert parsed and all(e.question and e.answer for e in parsed)
    for e in parsed:  # supporting ids point at statements, never past the question
        assert e.supporting and all(0 <= i < len(e.story) for i in e.supporting)
    vocab = Vocabulary.build(parsed)
    arrays = vectorize.encode(parsed, vocab)
    n = len(parsed)
    assert arrays["story"].shape == (n, vocab.memory_size, vocab.sentence_size)
    assert [vocab.words[i] for i in arrays["answer"]] == [e.answer for e in parsed]
    last = parsed[-1]  # memory slot 0 is the statement just before the question
    assert [vocab.words[i] for i in arrays["story"][-1, 0] if i] == list(last.story[-1])


def test_list_and_path_answers_stay_as_the_dataset_writes_them():
    lists = [e.answer for e in data.parse_file(sample(8))]
    assert lists == ["football", "football", "football,apple", "apple", "football,apple"]
    path = data.parse_file(sample(19))[0]
    assert path.answer == "s,e"  # two steps, one answer class
    assert path.question == ("how", "do", "you", "go", "from", "the", "kitchen", "to", "the",
                             "garden")
    assert path.story[0] == ("the", "office", "is", "east", "of", "the", "hallway")
    moved = data.parse_file(sample(5))
    assert all(e.answer == e.answer.lower() for e in moved)  # "Bill" is the story's "bill"


@pytest.mark.parametrize("options", [
    {}, {"relations": 16, "answer_units": 16},
    {"answer_units": 16, "answer_reads": True, "hops": 2},
])
def test_the_memory_network_and_its_extensions_build_answer_and_save(tmp_path, options):
    parsed = data.parse_file(sample(17)) + data.parse_file(sample(18))
    vocab = Vocabulary.build(parsed)
    arrays = vectorize.encode(parsed, vocab)
    net = model.build(len(vocab), vocab.memory_size, vocab.sentence_size, dim=12, **options)
    inputs = {"story": arrays["story"], "question": arrays["question"]}
    probs, attention = (np.asarray(t) for t in net(inputs))
    np.testing.assert_allclose(probs.sum(axis=1), 1.0, atol=1e-5)
    assert attention.shape == (len(parsed), options.get("hops", 3), vocab.memory_size)
    empty = ~(arrays["story"] != 0).any(axis=2)  # slots with no statement get no attention
    assert np.all(attention[np.broadcast_to(empty[:, None], attention.shape)] == 0)
    net.save(tmp_path / "m.keras")
    again = keras.saving.load_model(tmp_path / "m.keras", safe_mode=True)
    np.testing.assert_allclose(np.asarray(again(inputs)[0]), probs, rtol=1e-4, atol=1e-6)


def test_relations_see_pairs_of_statements_not_padding():
    layer = model.PairRelations(8)
    memories = keras.random.normal((2, 4, 6), seed=1)
    query = keras.random.normal((2, 6), seed=2)
    ids = np.zeros((2, 4, 3), dtype="int32")
    ids[:, :2, 0] = 5  # two real statements, two empty slots
    out = np.asarray(layer([memories, query, ids]))
    changed = np.array(memories)
    changed[:, 2:] += 100.0  # what sits in empty slots must not matter
    np.testing.assert_allclose(np.asarray(layer([changed, query, ids])), out, rtol=1e-5)


def test_shipped_examples_cover_every_task_with_their_license():
    raw = json.loads(examples.PATH.read_text())
    assert "CC BY 3.0" in raw["license"]
    for task in data.TASKS:
        shipped = examples.load(task)
        assert len(shipped) >= 3
        vocab = training.load_shipped(task)[1] if training.vocab_path(task).exists() else None
        for e in shipped:
            assert all(0 <= i < len(e.story) for i in e.supporting)
            if vocab is not None:  # the shipped model knows every word of its examples
                assert not vocab.unknown([w for s in e.story for w in s] + list(e.question))
                assert e.answer in vocab.words


def test_every_task_has_a_recipe_and_a_one_line_reasoning():
    assert set(training.RECIPES) == set(data.TASKS) == set(data.REASONING)
    for recipe in training.RECIPES.values():
        assert set(recipe.architecture()) <= set(model.build.__kwdefaults__)


def test_summary_counts_failed_tasks_above_five_percent_error():
    results = [{"task": 1, "accuracy": 1.0, "questions": 10},
               {"task": 2, "accuracy": 0.94, "questions": 10},
               {"task": 3, "accuracy": 0.96, "questions": 10}]
    out = training.summary(results)
    assert out["failed"] == 1 and out["failed_tasks"] == [2]
    assert out["mean_error"] == pytest.approx(0.1 / 3, abs=1e-4)


def test_cli_evaluates_every_task_of_a_folder_of_test_files(tmp_path, capsys):
    for task in data.TASKS:
        shutil.copy(sample(task), tmp_path / f"{data.TASKS[task][0]}_test.txt")
    assert main(["evaluate", "babi", "--all", "--data-dir", str(tmp_path)]) == 0
    out = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert sorted(map(int, out["accuracy"])) == list(data.TASKS)
    questions = {t: len(data.parse_file(sample(t))) for t in data.TASKS}
    assert {int(t): n for t, n in out["questions"].items()} == questions
    errors = [1 - a for a in out["accuracy"].values()]
    assert out["mean_error"] == pytest.approx(np.mean(errors), abs=1e-3)
    assert out["failed"] == sum(e > 0.05 for e in errors)


def test_cli_evaluate_all_on_a_folder_without_test_files(tmp_path, capsys):
    assert main(["evaluate", "babi", "--all", "--data-dir", str(tmp_path)]) == 2
    assert "qaN_*_test.txt" in capsys.readouterr().err


@pytest.mark.parametrize("task", [8, 19])
def test_cli_evaluates_comma_answers_of_one_file(task, capsys):
    assert main(["evaluate", "babi", "--task", str(task), "--data", str(sample(task))]) == 0
    out = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert out["task"] == task and out["questions"] == len(data.parse_file(sample(task)))
    assert 0.0 <= out["accuracy"] <= 1.0


@pytest.mark.parametrize("task", list(data.TASKS))
def test_shipped_model_reaches_its_cards_validation_accuracy(data_dir, task):
    card = training.load_shipped(task)[2]
    measured = training.validation_accuracy(task, data_dir=data_dir)
    validation = card.validation
    assert measured["questions"] == validation["questions"]
    assert measured["accuracy"] >= validation["accuracy"] - 0.005
    assert card.command == f"python -m core train babi --task {task}"


def test_support_targets_point_each_hop_at_its_supporting_statement():
    parsed = data.parse_file(sample(16))
    question = parsed[0]  # "what color is ...?" with three supporting statements, in order
    targets = vectorize.support_targets(parsed, memory_size=20, hops=3)
    assert targets.shape == (len(parsed), 3, 20)
    for hop, index in enumerate(question.supporting):
        slot = int(targets[0, hop].argmax())
        assert targets[0, hop].sum() == 1.0
        assert len(question.story) - 1 - slot == index  # slot 0 is the latest statement
    assert vectorize.support_targets(parsed, memory_size=1, hops=3)[0].sum() <= 1.0


def test_supervised_attention_trains_the_hops_onto_the_supporting_facts():
    from core.babi import generator

    stories = generator.examples(1, 600, seed=5)
    vocab = Vocabulary.build(stories, memory_size=10)
    arrays = vectorize.encode(stories, vocab)
    arrays["support"] = vectorize.support_targets(stories, vocab.memory_size, 1)
    recipe = training.Recipe(dim=16, hops=1, epochs=4, linear_epochs=0, batch_size=32,
                             noise=0.0, supervise=1.0)
    net, _ = training.fit(arrays, arrays, vocab, recipe, log=lambda _: None)
    attention = np.asarray(net({"story": arrays["story"], "question": arrays["question"]})[1])
    looked_at = attention[:, 0].argmax(axis=1)
    assert np.mean(looked_at == arrays["support"][:, 0].argmax(axis=1)) > 0.8


@pytest.mark.parametrize("task", list(data.TASKS))
def test_each_card_records_the_recipe_its_training_command_uses(task):
    from dataclasses import asdict, fields

    card = training.load_shipped(task)[2]
    assert "hops" in card.training, "the card records no training recipe under 'training'"
    recipe = asdict(training.RECIPES[task])
    defaults = {f.name: f.default for f in fields(training.Recipe)}
    for key, value in recipe.items():  # keys added after a card was written hold defaults
        assert card.training.get(key, defaults[key]) == value, key
    assert card.model == "memn2n" and card.parameters > 0


@pytest.mark.parametrize("model_kind", ["memn2n", "book"])
def test_cli_train_passes_seed_zero_through(monkeypatch, tmp_path, model_kind, capsys):
    from types import SimpleNamespace

    seen = {}
    card = SimpleNamespace(validation={"accuracy": 1.0, "questions": 1}, training_seconds=0.0)

    def fake_train(task, *, recipe, **options):
        seen["seed"] = recipe.seed
        return card

    monkeypatch.setattr(training, "train_and_ship_book", fake_train)
    monkeypatch.setattr(training, "train_and_ship", fake_train)
    args = ["train", "babi", "--task", "1", "--model", model_kind, "--seed", "0",
            "--out", str(tmp_path)]
    assert main(args) == 0
    assert seen["seed"] == 0  # not the shipped seed: 0 is a seed like any other


def test_every_shipped_card_states_the_interval_of_its_accuracy():
    shipped = [p.with_suffix(".json") for p in training.ASSETS.glob("*.keras")]
    assert len(shipped) > 20
    for path in shipped:
        validation = cards.read_card(path, training.BabiCard).validation
        assert validation["ci95"] == training.interval95(validation["accuracy"],
                                                         validation["questions"]), path.name


def test_the_answer_only_twins_are_the_shipped_recipe_without_the_supporting_facts():
    rows = view.supervision_rows()
    assert {row["task"] for row in rows} <= set(training.supervised_tasks())
    assert {11, 13, 16, 17} <= {row["task"] for row in rows}
    for row in rows:
        task = row["task"]
        told = cards.read_card(training.card_path(task), training.BabiCard)
        alone = cards.read_card(training.card_path(task, "answer-only"), training.BabiCard)
        assert (row["supervised"], row["answer only"]) == (told.validation["accuracy"],
                                                           alone.validation["accuracy"])
        assert alone.training == asdict(training.answer_only(training.RECIPES[task]))
        assert alone.command == f"python -m core train babi --task {task} --model answer-only"
        assert alone.validation["questions"] == told.validation["questions"]  # same stories


def test_the_supervised_induction_hops_follow_the_chain_bAbI_names():
    """The page says that task 16's hops learn to read the supporting statements in order."""
    net, vocab, _ = training.load_shipped(16)
    for example in examples.load(16):
        result = answering.answer(net, vocab, list(example.story), example.question)
        looked = [result.first_kept + int(hop.argmax()) for hop in result.attention]
        assert looked == list(example.supporting)
        assert view.chain(example) == [" ".join(example.story[i]) for i in looked]


def test_answer_only_is_refused_for_a_task_that_learns_from_the_answers_already(capsys):
    assert babi_cli.KINDS == training.KINDS  # the CLI's copy, kept to spare --help Keras
    assert main(["train", "babi", "--task", "1", "--model", "answer-only"]) == 2
    assert "learns from the answers alone already" in capsys.readouterr().err


def test_the_table_of_all_tasks_sits_above_the_published_figures():
    table = view.anchors_table([{"error": 0.0}, {"error": 0.1}])
    assert table[0] == {"model": "these models (validation split)", "mean error": 0.05,
                        "failed": 1}
    assert [row["model"] for row in table[1:]] == [row["model"] for row in view.PUBLISHED]
    assert view.anchors_table([{"error": None}])[0]["model"] == view.PUBLISHED[0]["model"]
    task, generated, real = view.generated_task()
    assert data.HOLD_OUT[task] == 1.0 and generated == training.RECIPES[task].synthetic
    assert real == training.load_shipped(task)[2].validation["questions"]
