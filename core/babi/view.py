"""What the Memory network page shows: a typed story and question read like the data, a shipped
model's answer and attention, the task table, and the code of the model.

Typed text is normalized like the data (lowercase, no punctuation). Unknown words are reported,
never silently dropped: the caller decides whether to answer anyway.
"""

from __future__ import annotations

import inspect
import re
from dataclasses import dataclass, field

import altair as alt
import keras
import numpy as np
import pandas as pd

from core import cards
from core.babi import book, data, model, vectorize
from core.babi.data import Example, story_text, tokenize, words
from core.babi.training import FAILED_ERROR, BabiCard, card_path
from core.babi.vectorize import Vocabulary

_SENTENCE_END = re.compile(r"[.!?;\n]+")


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


def extensions(card: BabiCard) -> str:
    """What a shipped model adds to the paper's MemN2N, in words ("" for none)."""
    recipe = card.training
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
        card = cards.read_card(path, BabiCard)
        recipe, validation = card.training, card.validation
        rows.append({"task": task, "reasoning": title,
                     "validation accuracy": validation["accuracy"],
                     "error": 1 - validation["accuracy"],
                     "questions": validation["questions"],
                     "hops": recipe.get("hops"), "dim": recipe.get("dim"),
                     "added to MemN2N": extensions(card) or "—",
                     "supervised attention": bool(recipe.get("supervise")),
                     "parameters": card.parameters,
                     "training s": card.training_seconds,
                     "answer ms": card.latency_ms, "command": card.command})
    return rows


def summary(rows: list[dict]) -> dict | None:
    """Mean validation error and failed tasks over the table's rows; None if any is missing."""
    errors = [row.get("error") for row in rows]
    if any(e is None for e in errors):
        return None
    return {"mean error": float(np.mean(errors)),
            "failed": sum(e > FAILED_ERROR for e in errors)}


def known_example(chosen: tuple | None, task: int, story_text_in: str,
                  reading: Reading) -> tuple | None:
    """The example that "New story" put on the page, (task, example, source), if the story and
    question are still its own; None once the student has edited them."""
    if not chosen or chosen[0] != task:
        return None
    example = chosen[1]
    same = (story_text(example) == story_text_in.strip()
            and " ".join(example.question) == " ".join(reading.question))
    return chosen if same else None


def shown_statements(result: Answer, story: list, supporting: set[int]) -> list[int]:
    """Offsets into the memory worth drawing: all of a short story's; for a long one the
    statements some hop gave at least 1% of its attention, and the supporting facts."""
    return [offset for offset in range(result.attention.shape[1])
            if len(story) <= 12 or result.attention[:, offset].max() >= 0.01
            or result.first_kept + offset in supporting]


def attention_frame(result: Answer, story: list, supporting: set[int]) -> pd.DataFrame:
    """One row per hop and drawn statement: its attention, the statement numbered and starred
    when bAbI names it a supporting fact."""
    rows = []
    for hop, weights in enumerate(result.attention, 1):
        for offset in shown_statements(result, story, supporting):
            weight, index = weights[offset], result.first_kept + offset
            star = "★ " if index in supporting else ""
            rows.append({"hop": f"hop {hop}", "attention": float(weight),
                         "statement": f"{star}{index + 1}. {' '.join(story[index])}"})
    return pd.DataFrame(rows)


def attention_chart(frame: pd.DataFrame) -> alt.LayerChart:
    """Hops across, statements down (`attention_frame`), each cell's attention as a shade and
    a percentage."""
    base = alt.Chart(frame).encode(
        x=alt.X("hop:N", title=None, axis=alt.Axis(orient="top", labelAngle=0)),
        y=alt.Y("statement:N", sort=list(dict.fromkeys(frame["statement"])), title=None,
                axis=alt.Axis(labelLimit=420)))
    heat = base.mark_rect().encode(
        color=alt.Color("attention:Q", scale=alt.Scale(scheme="blues", domain=[0, 1]),
                        legend=None),
        tooltip=["hop", "statement", alt.Tooltip("attention:Q", format=".1%")])
    numbers = base.mark_text(fontSize=11).encode(
        text=alt.Text("attention:Q", format=".0%"),
        color=alt.condition("datum.attention > 0.5", alt.value("white"), alt.value("#333")))
    return (heat + numbers).properties(height=alt.Step(26))


def ranking_chart(ranking: list[tuple[str, float]]) -> alt.Chart:
    """The most likely answers as bars of probability."""
    frame = pd.DataFrame(ranking, columns=["word", "probability"])
    return alt.Chart(frame).mark_bar().encode(
        x=alt.X("probability:Q", scale=alt.Scale(domain=[0, 1]), axis=alt.Axis(format="%")),
        y=alt.Y("word:N", sort="-x", title=None),
        tooltip=["word", alt.Tooltip("probability:Q", format=".2%")],
    ).properties(height=alt.Step(24), title="The five most likely answers")


def build_code() -> str:
    """The source of the function that builds every shipped memory network, as it runs."""
    return inspect.getsource(model.build)
