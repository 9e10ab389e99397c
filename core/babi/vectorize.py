"""Words to integer arrays, with a vocabulary saved as JSON beside the model.

Memories are stored most recent first: slot 0 holds the statement just before the question, so
the temporal encoding learns "how long ago" rather than "how far into the story".
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from core.babi.data import Example

MEMORY_SIZE = 50  # the paper's cap: only the last 50 statements are kept


@dataclass(frozen=True)
class Words:
    """A model's words and their ids; id 0 is padding, so words[0] == "". Shared by the memory
    network and the sentence autoencoder, which read the same bAbI language."""
    words: tuple[str, ...]

    @property
    def index(self) -> dict[str, int]:
        return {w: i for i, w in enumerate(self.words)}

    def __len__(self) -> int:
        return len(self.words)

    def unknown(self, words) -> list[str]:
        known = self.index
        return sorted({w for w in words if w not in known})


@dataclass(frozen=True)
class Vocabulary(Words):
    memory_size: int
    sentence_size: int

    @classmethod
    def build(cls, examples: list[Example], memory_size: int = MEMORY_SIZE) -> Vocabulary:
        seen = set()
        for e in examples:
            seen.update(w for s in e.story for w in s)
            seen.update(e.question)
            seen.add(e.answer)
        longest = max(max((len(s) for e in examples for s in e.story), default=1),
                      max(len(e.question) for e in examples))
        return cls(("", *sorted(seen)), memory_size, longest)

    def to_json(self) -> dict:
        return {"words": list(self.words[1:]), "memory_size": self.memory_size,
                "sentence_size": self.sentence_size}

    def save(self, path: Path) -> None:
        Path(path).write_text(json.dumps(self.to_json(), indent=1) + "\n")

    @classmethod
    def load(cls, path: Path) -> Vocabulary:
        raw = json.loads(Path(path).read_text())
        return cls(("", *raw["words"]), raw["memory_size"], raw["sentence_size"])


def encode_sentence(words, vocab: Vocabulary, index: dict[str, int]) -> np.ndarray:
    """Known words only, cut at the sentence size; unknown words are found by the caller."""
    ids = [index[w] for w in words if w in index][: vocab.sentence_size]
    row = np.zeros(vocab.sentence_size, dtype="int32")
    row[: len(ids)] = ids
    return row


def encode(examples: list[Example], vocab: Vocabulary) -> dict[str, np.ndarray]:
    """{"story": (n, memory, words), "question": (n, words), "answer": (n,)} as int32."""
    index = vocab.index
    n, m, j = len(examples), vocab.memory_size, vocab.sentence_size
    stories = np.zeros((n, m, j), dtype="int32")
    questions = np.zeros((n, j), dtype="int32")
    answers = np.zeros(n, dtype="int32")
    for k, e in enumerate(examples):
        for slot, sentence in enumerate(reversed(e.story[-m:])):
            stories[k, slot] = encode_sentence(sentence, vocab, index)
        questions[k] = encode_sentence(e.question, vocab, index)
        answers[k] = index.get(e.answer, 0)
    return {"story": stories, "question": questions, "answer": answers}


def add_empty_memories(stories: np.ndarray, rate: float, rng: np.random.Generator) -> np.ndarray:
    """The paper's "random noise": empty memories slipped between statements (training only),
    so that the temporal encoding cannot lean on exact distances."""
    out = np.zeros_like(stories)
    filled = (stories != 0).any(axis=2)
    for k in range(len(stories)):
        real = np.flatnonzero(filled[k])
        gaps = rng.random(len(real)) < rate
        slots = np.arange(len(real)) + np.cumsum(gaps)
        keep = slots < stories.shape[1]
        out[k, slots[keep]] = stories[k, real[keep]]
    return out


def support_targets(examples: list[Example], memory_size: int, hops: int) -> np.ndarray:
    """(n, hops, memory) one-hot: hop k should look at the k-th supporting statement that bAbI
    names (in the file's order, which follows the chain of reasoning); all zeros where there is
    none or it is out of the memory."""
    targets = np.zeros((len(examples), hops, memory_size), dtype="float32")
    for k, e in enumerate(examples):
        for hop, index in enumerate(e.supporting[:hops]):
            slot = len(e.story) - 1 - index  # slot 0 is the latest statement
            if slot < memory_size:
                targets[k, hop, slot] = 1.0
    return targets
