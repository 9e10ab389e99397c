"""Train the memory network on one bAbI task: linear start, random noise, best epoch kept."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from pathlib import Path

import keras
import numpy as np

from core import cards, datasets
from core.babi import book, data, generator, model, vectorize
from core.babi.vectorize import Vocabulary

ASSETS = cards.ASSETS / "babi"
FAILED_ERROR = 0.05  # the papers count a task as failed above 5% error


@dataclass(frozen=True)
class BabiCard(cards.Card):
    task: int = 0
    title: str = ""
    model: str = ""  # one of KINDS
    split: str = ""  # which questions validate, in words


# The shipped memory network; the book's fixed-window network; and, for the tasks whose
# shipped network learnt from bAbI's supporting facts too, the same recipe on the answers alone
# (what that supervision buys, measured).
KINDS = ("memn2n", "book", "answer-only")
_FILE = {"memn2n": "task{task}", "book": "book_task{task}", "answer-only": "task{task}_answer_only"}


def model_path(task: int, kind: str = "memn2n", folder: Path = ASSETS) -> Path:
    return Path(folder) / (_FILE[kind].format(task=task) + ".keras")


def card_path(task: int, kind: str = "memn2n") -> Path:
    return model_path(task, kind).with_suffix(".json")


def vocab_path(task: int) -> Path:
    return ASSETS / f"task{task}_vocab.json"


def load_shipped(task: int, kind: str = "memn2n") -> tuple[keras.Model, Vocabulary, BabiCard]:
    """(model, vocabulary, card) of a shipped model; FileNotFoundError names what is missing."""
    rebuild = f"python -m core train babi --task {task}" + (
        f" --model {kind}" if kind != "memn2n" else "")
    if not vocab_path(task).exists():
        raise FileNotFoundError(f"{vocab_path(task)} is missing: rebuild it with `{rebuild}`")
    net, card = cards.load_shipped(model_path(task, kind), BabiCard, rebuild=rebuild)
    return net, Vocabulary.load(vocab_path(task)), card


@dataclass(frozen=True)
class Recipe:
    dim: int = 40
    hops: int = 3
    epochs: int = 60
    linear_epochs: int = 15  # the paper's "linear start": no attention softmax at first
    noise: float = 0.1  # the paper's "random noise": rate of empty memories slipped in
    batch_size: int = 64
    learning_rate: float = 0.01
    linear_learning_rate: float = 0.001  # linear attention sums grow fast: go gently
    seed: int = model.SEED
    synthetic: int = 0  # questions from core.babi.generator added to the training stories
    # generated questions (other stories) that choose the best epoch; 0: the validation
    # stories choose it, which flatters their accuracy a little
    selection: int = 0
    # fraction of the training stories set aside to choose the best epoch (0: none); then the
    # validation stories never influence training, and their accuracy is an honest estimate
    choose: float = 0.0
    patience: int = 0  # stop after this many epochs without a better choice score (0: never)
    # weight of an extra loss that tells each hop which statement bAbI names as supporting
    # (strong supervision, as in Weston et al.'s first memory networks); 0: the answer only
    supervise: float = 0.0
    # the model's extensions (see core.babi.model.build); the defaults are the paper's MemN2N
    answer_units: int = 0
    answer_reads: bool = False
    relations: int = 0

    def architecture(self) -> dict:
        return {"dim": self.dim, "hops": self.hops, "answer_units": self.answer_units,
                "answer_reads": self.answer_reads, "relations": self.relations}


RECIPES = {  # the shipped recipes; task 3 has only 1k real questions: it learns from generated
    # ones and keeps every real question for an honest validation (data.HOLD_OUT)
    1: Recipe(epochs=15, linear_epochs=5, batch_size=128),
    2: Recipe(epochs=40, linear_epochs=10, batch_size=128),
    3: Recipe(epochs=40, linear_epochs=10, batch_size=64, synthetic=30000, selection=2000),
}
# Tasks 4-20 learn from 90% of the 10k file's stories; a tenth of those choose the best epoch
# and stop training early, the other 10% of the file validate.
_TEN_K = Recipe(epochs=60, linear_epochs=10, batch_size=128, choose=0.1, patience=10)
# A yes/no answer compares what was read with the question ("is john in the kitchen?"): an
# equality test, which a single linear layer on their sum cannot express; a hidden layer can.
_HIDDEN_ANSWER = replace(_TEN_K, answer_units=64, learning_rate=0.005)
RECIPES.update({task: _TEN_K for task in (4, 5)})
RECIPES.update({task: _HIDDEN_ANSWER for task in range(6, 21)})
# Facts that must be combined (sizes along a chain) get a relation module over every pair of
# statements; it trains from the start with softmax attention, at a gentler rate.
_RELATIONS = replace(_HIDDEN_ANSWER, relations=64, linear_epochs=0, learning_rate=0.003)
RECIPES[18] = _RELATIONS
# a route is learnt slowly, and faster with the hops told which two statements form it
RECIPES[19] = replace(_RELATIONS, dim=80, supervise=1.0, noise=0.0, epochs=300, patience=40)
# Induction (task 16) needs a chain of three statements that no hop found by itself from the
# answers alone (see its answer-only card). Here the hops are also told which statements bAbI
# names as supporting (strong supervision); without empty-memory noise, so that those
# statements stay in their slots.
_SUPERVISED = replace(_HIDDEN_ANSWER, supervise=1.0, linear_epochs=0, noise=0.0)
RECIPES[16] = replace(_SUPERVISED, epochs=40, patience=8)
# Coreference ("afterwards he went ...", "then they went ..."): on the answers alone the hops
# stall short of the mark (answer-only cards of tasks 11 and 13); told where to look, a few
# epochs suffice
RECIPES[13] = RECIPES[16]
# Positional reasoning (17) composes two relations whose signs flip with each object's role.
# Two supervised hops read one relation each, and the answer layer sees the two reads side by
# side (not their sum).
RECIPES[17] = replace(_SUPERVISED, hops=2, answer_reads=True, answer_units=256, epochs=300,
                      patience=40)
RECIPES[11] = replace(_TEN_K, supervise=1.0, linear_epochs=0, noise=0.0, epochs=40, patience=8)


def _inputs(arrays: dict[str, np.ndarray], story: np.ndarray | None = None) -> dict:
    return {"story": arrays["story"] if story is None else story, "question": arrays["question"]}


def accuracy(net: keras.Model, arrays: dict[str, np.ndarray], batch_size: int = 512) -> float:
    probs = net.predict(_inputs(arrays), batch_size=batch_size, verbose=0)
    if isinstance(probs, list):  # the memory network also returns its attention
        probs = probs[0]
    return float(np.mean(probs.argmax(axis=1) == arrays["answer"]))


def interval95(accuracy: float, n: int) -> list[float]:
    """Wilson's 95% confidence interval of an accuracy measured on n questions."""
    z = 1.96
    centre = (accuracy + z * z / (2 * n)) / (1 + z * z / n)
    half = z * np.sqrt(accuracy * (1 - accuracy) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return [round(float(centre - half), 4), round(float(centre + half), 4)]


def _trainer(net: keras.Model, recipe: Recipe, linear: bool, steps: int) -> keras.Model:
    """The answer-only view of `net` (answer and attention when supervised), compiled; after
    the linear start the rate decays."""
    rate = recipe.linear_learning_rate if linear else keras.optimizers.schedules.CosineDecay(
        recipe.learning_rate, steps * (recipe.epochs - recipe.linear_epochs), alpha=0.05)
    optimizer = keras.optimizers.Adam(rate, clipnorm=40.0)
    if recipe.supervise and not linear:
        trainer = keras.Model(net.inputs, net.outputs)
        trainer.compile(optimizer, loss=["sparse_categorical_crossentropy", _attention_loss],
                        loss_weights=[1.0, recipe.supervise])
        return trainer
    trainer = keras.Model(net.inputs, net.outputs[0])
    trainer.compile(optimizer, loss="sparse_categorical_crossentropy")
    return trainer


def _attention_loss(target, attention):
    """Cross-entropy of each hop's attention against its supporting statement (if any)."""
    return -keras.ops.sum(target * keras.ops.log(attention + 1e-7), axis=(1, 2))


def fit(train: dict, validation: dict, vocab: Vocabulary, recipe: Recipe,
        log: Callable[[str], None] = print,
        selection: dict | None = None) -> tuple[keras.Model, dict]:
    """The shipped two-output model with the weights of its best epoch, by accuracy on
    `selection` when given (the validation figure then stays unbiased), else on validation."""
    shape = (len(vocab), vocab.memory_size, vocab.sentence_size)
    nets = {linear: model.build(*shape, **recipe.architecture(), linear=linear,
                                seed=recipe.seed) for linear in (True, False)}
    rng = np.random.default_rng(recipe.seed)
    best = {"accuracy": -1.0, "epoch": 0, "weights": None}
    history = []
    steps = -(-len(train["answer"]) // recipe.batch_size)  # batches per epoch
    for epoch in range(recipe.epochs):
        linear = epoch < recipe.linear_epochs
        if epoch == 0 or epoch == recipe.linear_epochs:
            if epoch:  # the linear start is over: the softmax model takes its weights
                nets[False].set_weights(nets[True].get_weights())
            trainer = _trainer(nets[linear], recipe, linear, steps)
        story = vectorize.add_empty_memories(train["story"], recipe.noise, rng)
        targets = train["answer"]
        if recipe.supervise and not linear:  # no noise then: the slots must stay put
            story, targets = train["story"], [train["answer"], train["support"]]
        started = time.perf_counter()
        loss = trainer.fit(_inputs(train, story), targets, batch_size=recipe.batch_size,
                           epochs=1, shuffle=True, verbose=0).history["loss"][-1]
        val = accuracy(nets[linear], validation)
        row = {"epoch": epoch + 1, "loss": round(loss, 4), "val_accuracy": val,
               "seconds": round(time.perf_counter() - started, 1)}
        if selection is not None:
            row["selection_accuracy"] = accuracy(nets[linear], selection)
        history.append(row)
        log(f"epoch {epoch + 1}{' (linear)' if linear else ''}: loss {loss:.4f}, "
            f"validation accuracy {val:.4f}" + (f", selection accuracy "
                                                f"{row['selection_accuracy']:.4f}"
                                                if selection is not None else "")
            + f" ({row['seconds']} s)")
        score = row.get("selection_accuracy", val)
        if not linear and score >= best["accuracy"]:  # ties: the later, better-trained epoch
            best = {"accuracy": score, "epoch": epoch + 1, "weights": nets[False].get_weights()}
        if not linear and recipe.patience and (
                score == 1.0 or epoch + 1 - best["epoch"] >= recipe.patience):
            log(f"early stop: the best choice score {best['accuracy']:.4f} came at epoch "
                f"{best['epoch']}")
            break
    shipped = nets[False]
    shipped.set_weights(best["weights"])
    return shipped, {"best_epoch": best["epoch"], "history": history}


def prepare(task: int, data_dir=None, synthetic: int = 0, selection: int = 0, seed: int = 0,
            choose: float = 0.0, hops: int = 3):
    """(vocabulary, training, validation and selection arrays); validation is real stories
    only; selection (None when both are 0) is `selection` generated stories apart from the
    training ones, or the `choose` fraction of the training stories, set aside."""
    examples = data.parse_file(data.train_file(task, data_dir))
    train, validation = data.validation_split(task, examples)
    if choose:
        train, chooser = data.split_by_story(train, choose, seed=1)
    else:
        chooser = generator.examples(task, selection, seed=seed + 1)
    train = train + generator.examples(task, synthetic, seed=seed)
    longest = max(len(e.story) for e in examples)
    vocab = Vocabulary.build(examples + train, memory_size=min(vectorize.MEMORY_SIZE, longest))
    arrays = vectorize.encode(train, vocab)
    arrays["support"] = vectorize.support_targets(train, vocab.memory_size, hops)
    return (vocab, arrays, vectorize.encode(validation, vocab),
            vectorize.encode(chooser, vocab) if chooser else None)


def _split_note(task: int, recipe: Recipe, questions: int) -> str:
    if data.HOLD_OUT[task] < 1:
        note = f"{data.HOLD_OUT[task]:.0%} of the training file's stories held out (seed 0)"
    else:
        note = (f"all {questions:,} questions of the training file held out: the model learns "
                f"from {recipe.synthetic:,} generated questions only")
    if recipe.selection:
        note += (f"; the best epoch is chosen on {recipe.selection:,} other generated "
                 "questions, never on the validation questions")
    if recipe.choose:
        note += (f"; the best epoch is chosen on {recipe.choose:.0%} of the remaining stories "
                 "(seed 1), set aside from training, never on the validation questions")
    return note


def answer_only(recipe: Recipe) -> Recipe:
    """The recipe without bAbI's supporting facts: the network learns from the answers alone."""
    return replace(recipe, supervise=0.0)


def supervised_tasks() -> list[int]:
    """The tasks whose shipped network also learnt where each hop should look."""
    return [task for task, recipe in RECIPES.items() if recipe.supervise]


def train_and_ship(task: int, *, data_dir=None, recipe: Recipe | None = None,
                   out_dir: Path | None = None, command: str | None = None,
                   log: Callable[[str], None] = print, kind: str = "memn2n") -> dict:
    """Train the task's memory network (`kind` memn2n or answer-only), save model, vocabulary
    and card; the card."""
    recipe = recipe or (answer_only(RECIPES[task]) if kind == "answer-only" else RECIPES[task])
    out_dir = Path(out_dir or ASSETS)
    source = data.train_file(task, data_dir)
    vocab, train, validation, chooser = prepare(task, data_dir, recipe.synthetic,
                                                recipe.selection, choose=recipe.choose,
                                                hops=recipe.hops)
    log(f"task {task}: {len(train['answer'])} training questions "
        f"({recipe.synthetic} generated), {len(validation['answer'])} validation questions")
    started = time.perf_counter()
    net, info = fit(train, validation, vocab, recipe, log, selection=chooser)
    seconds = time.perf_counter() - started
    questions, val = len(validation["answer"]), accuracy(net, validation)
    metrics = {"validation": {"accuracy": val, "questions": questions,
                              "ci95": interval95(val, questions)},
               "train": {"accuracy": accuracy(net, train)}}
    if chooser is not None:
        metrics["selection"] = {"accuracy": accuracy(net, chooser),
                                "questions": len(chooser["answer"])}
    out_dir.mkdir(parents=True, exist_ok=True)
    path = model_path(task, kind, out_dir)
    net.save(path)
    vocab.save(out_dir / vocab_path(task).name)  # the same words for every kind of a task
    # one question, as the page asks it: a direct call
    one = {"story": validation["story"][:1], "question": validation["question"][:1]}
    return cards.write_card(
        path.with_suffix(".json"), BabiCard,
        command=command or cards.training_command(),
        data_sha256={str(source.relative_to(source.parents[3])): datasets.sha256_of(source)},
        metrics=metrics, task=task, title=data.TASKS[task][1], model=kind,
        training=asdict(recipe), best_epoch=info["best_epoch"], history=info["history"],
        split=_split_note(task, recipe, questions),
        training_seconds=round(seconds, 1), parameters=int(net.count_params()),
        latency_ms=round(cards.latency_ms(lambda: np.asarray(net(one, training=False)[0])), 2),
    )


def train_and_ship_book(task: int, *, data_dir=None, recipe: book.Recipe | None = None,
                        out_dir: Path | None = None, command: str | None = None,
                        log: Callable[[str], None] = print) -> BabiCard:
    """The book's fixed-window network on the same split and vocabulary as the shipped one."""
    recipe = recipe or book.Recipe()
    out_dir = Path(out_dir or ASSETS)
    vocab = Vocabulary.load(out_dir / f"task{task}_vocab.json")
    source = data.train_file(task, data_dir)
    train, validation = data.validation_split(task, data.parse_file(source))
    train, validation = book.encode(train, vocab), book.encode(validation, vocab)
    started = time.perf_counter()
    net = book.fit(train, validation, vocab, recipe)
    seconds = time.perf_counter() - started
    val, questions = accuracy(net, validation), len(validation["answer"])
    log(f"book model, task {task}: validation accuracy {val:.4f} after {seconds:.0f} s")
    net.save(out_dir / f"book_task{task}.keras")
    return cards.write_card(
        out_dir / f"book_task{task}.json", BabiCard,
        command=command or cards.training_command(),
        data_sha256={str(source.relative_to(source.parents[3])): datasets.sha256_of(source)},
        metrics={"validation": {"accuracy": val, "questions": questions,
                                "ci95": interval95(val, questions)},
                 "train": {"accuracy": accuracy(net, train)}},
        task=task, title=data.TASKS[task][1], model="book",
        window=f"the last {book.WINDOW} statements", training=asdict(recipe),
        split=f"{data.HOLD_OUT[task]:.0%} of the training file's stories held out (seed 0)",
        training_seconds=round(seconds, 1), parameters=int(net.count_params()),
    )


def evaluate_file(task: int, path, kind: str = "memn2n") -> dict:
    """{"task", "questions", "accuracy"} of a shipped model on a bAbI-format file."""
    net, vocab, _ = load_shipped(task, kind)
    examples = data.parse_file(path)
    arrays = (book if kind == "book" else vectorize).encode(examples, vocab)
    return {"task": task, "questions": len(examples), "accuracy": accuracy(net, arrays)}


def validation_accuracy(task: int, kind: str = "memn2n", data_dir=None) -> dict:
    """The shipped model re-measured on its validation stories."""
    net, vocab, _ = load_shipped(task, kind)
    examples = data.validation_examples(task, data_dir)
    arrays = (book if kind == "book" else vectorize).encode(examples, vocab)
    return {"task": task, "questions": len(examples), "accuracy": accuracy(net, arrays)}


def test_files(folder: Path) -> dict[int, Path]:
    """{task: path} of the qaN_*_test.txt files in `folder` (or, if none, below it)."""
    found = sorted(folder.glob("qa*_test.txt")) or sorted(folder.rglob("qa*_test.txt"))
    files: dict[int, Path] = {}
    for path in found:
        task = int(path.name[2:].split("_")[0])
        if task in files:
            raise FileNotFoundError(f"two test files for task {task} under {folder}: "
                                    f"{files[task]} and {path}; point --data-dir at one folder")
        files[task] = path
    if not files:
        raise FileNotFoundError(f"no qaN_*_test.txt files in {folder}")
    return dict(sorted(files.items()))


def summary(results: list[dict]) -> dict:
    """Per-task accuracy and questions, mean error over the tasks, and the failed tasks."""
    errors = {r["task"]: 1 - r["accuracy"] for r in results}
    failed = [task for task, error in errors.items() if error > FAILED_ERROR]
    return {"accuracy": {str(r["task"]): round(r["accuracy"], 4) for r in results},
            "questions": {str(r["task"]): r["questions"] for r in results},
            "mean_error": round(float(np.mean(list(errors.values()))), 4),
            "failed": len(failed), "failed_tasks": failed}
