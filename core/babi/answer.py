"""Answer a typed question about a typed story with a shipped model, and say what went in.

Typed text is normalized like the data (lowercase, no punctuation). Unknown words are reported,
never silently dropped: the caller decides whether to answer anyway.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import keras
import numpy as np

from core.babi import book, data, model, vectorize  # noqa: F401 - model registers its layers
from core.babi.data import Example, tokenize
from core.babi.vectorize import Vocabulary
from core.cards import asset_path, read_card

ASSETS = asset_path("babi")
_SENTENCE_END = re.compile(r"[.!?;\n]+")


def model_path(task: int, kind: str = "memn2n"):
    return ASSETS / (f"task{task}.keras" if kind == "memn2n" else f"book_task{task}.keras")


def card_path(task: int, kind: str = "memn2n"):
    return model_path(task, kind).with_suffix(".json")


def vocab_path(task: int):
    return ASSETS / f"task{task}_vocab.json"


def load(task: int, kind: str = "memn2n") -> tuple[keras.Model, Vocabulary, dict]:
    """(model, vocabulary, card) of a shipped model; FileNotFoundError names what is missing."""
    for path in (model_path(task, kind), card_path(task, kind), vocab_path(task)):
        if not path.exists():
            raise FileNotFoundError(f"{path} is missing; train it with "
                                    f"`python -m core train babi --task {task}`")
    return (keras.saving.load_model(model_path(task, kind)), Vocabulary.load(vocab_path(task)),
            read_card(card_path(task, kind)))


def split_story(text: str) -> list[tuple[str, ...]]:
    """Statements from typed text: one a line (or ended by . ! ?), normalized, empty ones out.
    A leading bAbI line number ("3 Mary went ...") is dropped."""
    statements = []
    for chunk in _SENTENCE_END.split(text):
        words = tokenize(chunk)
        if words and words[0].isdigit():
            words = words[1:]
        if words:
            statements.append(words)
    return statements


@dataclass
class Reading:
    """What the model will read, and what the user should be told about it."""
    story: list[tuple[str, ...]]
    question: tuple[str, ...]
    unknown: list[str] = field(default_factory=list)
    dropped: int = 0  # statements beyond the memory, oldest first

    @property
    def problems(self) -> list[str]:
        out = []
        if not self.story:
            out.append("The story is empty: write at least one statement, one a line.")
        if not self.question:
            out.append("The question is empty: ask something like “where is john”.")
        return out


def read(story_text: str, question_text: str, vocab: Vocabulary) -> Reading:
    story = split_story(story_text)
    question = tokenize(question_text)
    unknown = vocab.unknown([w for s in story for w in s] + list(question))
    dropped = max(0, len(story) - vocab.memory_size)
    return Reading(story, question, unknown, dropped)


@dataclass(frozen=True)
class Answer:
    ranking: list[tuple[str, float]]  # the best few words with their probabilities
    attention: np.ndarray  # (hops, statements kept), statements oldest first
    first_kept: int  # index in the story of the first statement in memory


def answer(net: keras.Model, vocab: Vocabulary, story: list[tuple[str, ...]],
           question: tuple[str, ...], top: int = 5) -> Answer:
    arrays = vectorize.encode([Example(tuple(story), question, "", (), 0)], vocab)
    # a direct call: for one question, predict()'s batching machinery costs more than the model
    probs, attention = (np.asarray(t) for t in net(
        {"story": arrays["story"], "question": arrays["question"]}, training=False))
    kept = min(len(story), vocab.memory_size)
    # memory slot 0 is the latest statement: flip back into story order
    per_statement = attention[0][:, :kept][:, ::-1]
    return Answer(_ranking(probs[0], vocab, top), per_statement, len(story) - kept)


def book_answer(net: keras.Model, vocab: Vocabulary, story: list[tuple[str, ...]],
                question: tuple[str, ...], top: int = 5) -> list[tuple[str, float]]:
    arrays = book.encode([Example(tuple(story), question, "", (), 0)], vocab)
    probs = np.asarray(net({"story": arrays["story"], "question": arrays["question"]},
                           training=False))
    return _ranking(probs[0], vocab, top)


def _ranking(probs: np.ndarray, vocab: Vocabulary, top: int) -> list[tuple[str, float]]:
    probs = probs.copy()
    probs[0] = 0.0  # the padding id is never an answer
    best = np.argsort(probs)[::-1][:top]
    return [(vocab.words[i], float(probs[i])) for i in best]


def validation_examples(task: int, data_dir=None) -> list[Example]:
    """The questions of the validation stories (never trained on) of the task's file."""
    return data.validation_split(task, data.parse_file(data.train_file(task, data_dir)))[1]


def layer_table(net: keras.Model) -> list[dict]:
    """One row per layer of the functional graph: name, type, output shape, parameters."""
    rows = []
    for layer in net.layers:
        shape = getattr(layer, "output", None)
        rows.append({"layer": layer.name, "type": type(layer).__name__,
                     "output shape": str(tuple(shape.shape)) if shape is not None else "",
                     "parameters": layer.count_params()})
    return rows


# Mean error over the 20 tasks on the official test sets, 10k training examples per task
PUBLISHED = [
    {"model": "MemN2N (Sukhbaatar et al. 2015), best variant", "mean error": 0.042, "failed": 3},
    {"model": "DMN+ (Xiong et al. 2016)", "mean error": 0.028, "failed": 1},
    {"model": "EntNet (Henaff et al. 2017)", "mean error": 0.005, "failed": 0},
]
FAILED_ERROR = 0.05  # the papers count a task as failed above 5% error


def extensions(card: dict) -> str:
    """What a shipped model adds to the paper's MemN2N, in words ("" for none)."""
    recipe = card.get("recipe", {})
    added = []
    if recipe.get("fusion"):
        added.append("input fusion (a bidirectional GRU over the statements)")
    if recipe.get("update") == "gated":
        added.append("a gated state update at each hop")
    if recipe.get("relations"):
        added.append(f"a relation module over every pair of statements ({recipe['relations']} "
                     "units)")
    if recipe.get("supervise"):
        added.append("hops trained to look at bAbI's supporting facts (strong supervision)")
    if recipe.get("answer_units"):
        added.append(f"a hidden answer layer ({recipe['answer_units']} units"
                     + (", reading each hop separately)" if recipe.get("answer_reads") else ")"))
    return ", ".join(added)


def task_table() -> list[dict]:
    """One row per bAbI task: the shipped model's validation accuracy, its shape and cost."""
    rows = []
    for task, (_, title) in data.TASKS.items():
        path = card_path(task)
        if not path.exists():
            rows.append({"task": task, "reasoning": title})
            continue
        card = read_card(path)
        recipe, validation = card.get("recipe", {}), card["metrics"]["validation"]
        rows.append({"task": task, "reasoning": title,
                     "validation accuracy": validation["accuracy"],
                     "error": 1 - validation["accuracy"],
                     "questions": validation["questions"],
                     "hops": recipe.get("hops"), "dim": recipe.get("dim"),
                     "added to MemN2N": extensions(card) or "—",
                     "supervised attention": bool(recipe.get("supervise")),
                     "parameters": card["parameters"],
                     "training s": card["training_seconds"],
                     "answer ms": card.get("latency_ms"), "command": card["command"]})
    return rows


def summary(rows: list[dict]) -> dict | None:
    """Mean validation error and failed tasks over the table's rows; None if any is missing."""
    errors = [row.get("error") for row in rows]
    if any(e is None for e in errors):
        return None
    return {"mean error": float(np.mean(errors)),
            "failed": sum(e > FAILED_ERROR for e in errors)}
