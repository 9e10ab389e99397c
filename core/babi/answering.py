"""A typed story and question through a shipped network: what it reads, and what it answers.

Typed text is normalized like the data (lowercase, no punctuation). Unknown words are reported,
never silently dropped: the caller decides whether to answer anyway. The networks read English
words only (bAbI's); what the student is told about the reading goes through `_()`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import keras
import numpy as np

from core.babi import book, vectorize
from core.babi.data import Example, tokenize, words
from core.babi.vectorize import Vocabulary
from core.i18n import _

_SENTENCE_END = re.compile(r"[.!?;\n]+")


def split_story(text: str) -> list[tuple[str, ...]]:
    """Statements from typed text: one a line (or ended by . ! ?), normalized, empty ones out.
    A leading bAbI line number ("3 Mary went ...") is dropped."""
    statements = []
    for chunk in _SENTENCE_END.split(text):
        said = tokenize(chunk)
        if said and said[0].isdigit():
            said = said[1:]
        if said:
            statements.append(said)
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
        """Why the model cannot answer at all (empty list: it can)."""
        out = []
        typed = self.question_text.strip()
        if not self.story:
            out.append(_("The story is empty: write at least one statement, one a line.")
                       if not self.wordless else
                       _("The story is empty: it has no words, only symbols. Write statements "
                         "like “mary went to the kitchen”, one a line."))
        if not self.question:
            out.append(_("The question is empty: ask something like “where is john”.")
                       if not typed else
                       _("The question is empty: “{typed}” has no words, only symbols. Ask "
                         "something like “where is john”.", typed=typed))
        elif not self.question_known:
            out.append(_("The model knows none of the words of the question “{typed}”: ask "
                         "something like “where is john”.", typed=typed))
        return out

    @property
    def notes(self) -> list[str]:
        """Statements that will not help the model, said out loud rather than dropped."""
        out = [_("Statement {n} (“{statement}”) has no word the model knows: it is read as an "
                 "empty memory.", n=i + 1, statement=" ".join(self.story[i]))
               for i in self.unread]
        out += [_("“{text}” has no words, only symbols: it is left out.", text=text)
                for text in self.wordless]
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
    """A shipped memory network's best answers to `question` about `story`, and where each
    hop looked."""
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
    """The book's network's best answers (it reads the last `book.WINDOW` statements)."""
    arrays = book.encode([Example(tuple(story), question, "", (), 0)], vocab)
    probs = np.asarray(net({"story": arrays["story"], "question": arrays["question"]},
                           training=False))
    return _ranking(probs[0], vocab, top)


def _ranking(probs: np.ndarray, vocab: Vocabulary, top: int) -> list[tuple[str, float]]:
    probs = probs.copy()
    probs[0] = 0.0  # the padding id is never an answer
    best = np.argsort(probs)[::-1][:top]
    return [(vocab.words[i], float(probs[i])) for i in best]
