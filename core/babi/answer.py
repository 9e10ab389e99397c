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
from core.babi.data import Example, tokenize, words
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
    unknown: list[str] = field(default_factory=list)  # as typed, in order of appearance
    dropped: int = 0  # statements beyond the memory, oldest first
    unread: list[int] = field(default_factory=list)  # statements with no word the model knows
    wordless: list[str] = field(default_factory=list)  # typed lines without any word: left out
    question_text: str = ""
    question_known: bool = True  # the question has at least one word the model knows

    @property
    def problems(self) -> list[str]:
        out = []
        if not self.story:
            out.append("The story is empty: write at least one statement, one a line."
                       if not self.wordless else
                       "The story is empty: it has no words, only symbols. Write statements "
                       "like “mary went to the kitchen”, one a line.")
        if not self.question:
            out.append("The question is empty: ask something like “where is john”."
                       if not self.question_text.strip() else
                       f"The question is empty: “{self.question_text.strip()}” has no words, "
                       "only symbols. Ask something like “where is john”.")
        elif not self.question_known:
            out.append(f"The model knows none of the words of the question "
                       f"“{self.question_text.strip()}”: ask something like “where is john”.")
        return out

    @property
    def notes(self) -> list[str]:
        """Statements that will not help the model, said out loud rather than dropped."""
        out = [f"Statement {i + 1} (“{' '.join(self.story[i])}”) has no word the model "
               "knows: it is read as an empty memory." for i in self.unread]
        out += [f"“{text}” has no words, only symbols: it is left out." for text in self.wordless]
        return out


def read(story_text: str, question_text: str, vocab: Vocabulary) -> Reading:
    story = split_story(story_text)
    question = tokenize(question_text)
    known = vocab.index
    read_words = {w for s in story for w in s} | set(question)  # line numbers are not read
    typed = words(story_text) + words(question_text)
    unknown = list(dict.fromkeys(as_typed for as_typed, word in typed
                                 if word in read_words and word not in known))
    unread = [i for i, s in enumerate(story) if not any(w in known for w in s)]
    wordless = [chunk.strip() for chunk in _SENTENCE_END.split(story_text)
                if chunk.strip() and not tokenize(chunk)]
    dropped = max(0, len(story) - vocab.memory_size)
    return Reading(story, question, unknown, dropped, unread, wordless, question_text,
                   any(w in known for w in question))


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


def generated_example(task: int, seed: int) -> Example:
    from core.babi import generator

    return generator.story(task, seed)


def layer_table(net: keras.Model) -> list[dict]:
    """One row per layer of the functional graph: name, type, output shape, parameters."""
    rows = []
    for layer in net.layers:
        shape = getattr(layer, "output", None)
        rows.append({"layer": layer.name, "type": type(layer).__name__,
                     "output shape": str(tuple(shape.shape)) if shape is not None else "",
                     "parameters": layer.count_params()})
    return rows


def shipped_cards() -> list[dict]:
    """One row per shipped model's card: what it scored and what it cost."""
    rows = []
    for path in sorted(ASSETS.glob("*task*.json")):
        if path.name.endswith("_vocab.json"):
            continue
        card = read_card(path)
        rows.append({"model": path.stem, "task": card["task"],
                     "validation accuracy": card["metrics"]["validation"]["accuracy"],
                     "validation questions": card["metrics"]["validation"]["questions"],
                     "training s": card["training_seconds"], "parameters": card["parameters"],
                     "answer ms": card.get("latency_ms"), "command": card["command"]})
    return rows
