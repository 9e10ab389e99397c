"""A sentence autoencoder on the bAbI statements: the book's LSTM autoencoder, for words.

encoder: word ids → Embedding (0 pads) → LSTM → Dense → a short code.
decoder: code → RepeatVector(sentence length) → LSTM → TimeDistributed(Dense(softmax over the
vocabulary)): one word per position, the padding word where the sentence has ended.
The statements of bAbI tasks 1–3 ("mary moved to the bathroom", "john picked up the football
there") are a small language: a few hundred distinct sentences over about 35 words. Whole
sentences are held out for validation, so its round-trip accuracy says whether the code
*composes* a sentence it never saw from the parts it did.
"""

from __future__ import annotations

import itertools
import json
import random
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

import keras
import numpy as np
from keras import layers

from core import cards, datasets
from core.babi import data as babi
from core.babi import generator
from core.babi.vectorize import Words

SEED = 15
CODE = 16
UNITS = 64
HOLD_OUT = 0.1
TASKS = (1, 2, 3)
ASSETS = cards.ASSETS / "sequence_autoencoder"
MODEL_PATH, CARD_PATH = ASSETS / "sentences.keras", ASSETS / "sentences.json"
VOCAB_PATH = ASSETS / "sentences_vocab.json"


@dataclass(frozen=True)
class Recipe:
    """How the shipped sentence autoencoder is trained, recorded as it is in its card."""

    epochs: int = 300
    batch_size: int = 32
    optimizer: str = "adam"
    learning_rate: float = 3e-3
    seed: int = SEED


@dataclass(frozen=True)
class SentenceCard(cards.Card):
    model: str = ""
    code_size: int = 0
    vocabulary: int = 0  # words, padding left out
    sentence_length: int = 0
    split: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Vocabulary(Words):  # id 0, padding, also means "the sentence has ended"
    length: int  # the longest sentence, in words

    @classmethod
    def build(cls, sentences) -> Vocabulary:
        return cls(("", *sorted({w for s in sentences for w in s})),
                   max(len(s) for s in sentences))

    def encode(self, sentences) -> np.ndarray:
        """(n, length) int32 ids; unknown words are left out, long sentences cut."""
        index = self.index
        out = np.zeros((len(sentences), self.length), "int32")
        for row, sentence in enumerate(sentences):
            ids = [index[w] for w in sentence if w in index][: self.length]
            out[row, : len(ids)] = ids
        return out

    def save(self, path: Path) -> None:
        Path(path).write_text(json.dumps({"words": list(self.words[1:]),
                                          "length": self.length}, indent=1) + "\n")

    @classmethod
    def load(cls, path: Path) -> Vocabulary:
        raw = json.loads(Path(path).read_text())
        return cls(("", *raw["words"]), raw["length"])


def statements(data_dir=None) -> tuple[list[tuple[str, ...]], list[str]]:
    """(the distinct statements of the bAbI task 1–3 training files, sorted; the files read)."""
    seen, files = set(), []
    for task in TASKS:
        path = babi.train_file(task, data_dir)
        files.append(path)
        for example in babi.parse_file(path):
            seen.update(example.story)
    return sorted(seen), files


def language() -> list[tuple[str, ...]]:
    """Every statement the bAbI grammar of tasks 1–3 can say (the story generator's words):
    the sentences the page searches for neighbours, with no data needed."""
    out = []
    for person, verb, place in itertools.product(generator.PEOPLE, generator.MOVES,
                                                 generator.PLACES):
        out.append((person, *verb.split(), place))
    for person, verb, obj, there in itertools.product(
            generator.PEOPLE, generator.GRABS + generator.DROPS, generator.OBJECTS,
            ((), ("there",))):
        out.append((person, *verb.split(), obj, *there))
    return out


def split(sentences, fraction: float = HOLD_OUT, seed: int = SEED):
    """(train, validation): whole distinct sentences held out."""
    held = set(random.Random(seed).sample(range(len(sentences)),
                                          round(len(sentences) * fraction)))
    return ([s for i, s in enumerate(sentences) if i not in held],
            [s for i, s in enumerate(sentences) if i in held])


def build(vocab: Vocabulary, *, code: int = CODE, units: int = UNITS, seed: int = SEED,
          name: str = "sentence_autoencoder") -> keras.Model:
    keras.utils.set_random_seed(seed)
    ids = keras.Input((vocab.length,), dtype="int32", name="words")
    x = layers.Embedding(len(vocab), 32, mask_zero=True, name="embed")(ids)
    x = layers.LSTM(units, name="read")(x)
    encoder = keras.Model(ids, layers.Dense(code, name="code")(x), name="encoder")

    codes = keras.Input((code,), name="code")
    y = layers.RepeatVector(vocab.length, name="every_position")(codes)
    y = layers.LSTM(units, return_sequences=True, name="write")(y)
    y = layers.TimeDistributed(layers.Dense(len(vocab), activation="softmax"), name="word")(y)
    decoder = keras.Model(codes, y, name="decoder")
    return keras.Model(ids, decoder(encoder(ids)), name=name)


def parts(model: keras.Model) -> tuple[keras.Model, keras.Model]:
    return model.get_layer("encoder"), model.get_layer("decoder")


def decode(vocab: Vocabulary, probabilities: np.ndarray) -> list[tuple[str, ...]]:
    """The most likely word at each position, up to the first padding."""
    out = []
    for row in np.argmax(probabilities, axis=-1):
        words = []
        for i in row:
            if i == 0:
                break
            words.append(vocab.words[i])
        out.append(tuple(words))
    return out


def round_trip_accuracy(model: keras.Model, vocab: Vocabulary, sentences) -> dict:
    """Share of sentences rebuilt word for word, and share of positions right."""
    ids = vocab.encode(sentences)
    probabilities = model.predict(ids, batch_size=256, verbose=0)
    rebuilt = decode(vocab, probabilities)
    positions = np.argmax(probabilities, axis=-1) == ids
    return {"sentences": len(sentences),
            "exact": round(float(np.mean([tuple(s) == r for s, r in
                                          zip(sentences, rebuilt, strict=True)])), 4),
            "positions": round(float(positions.mean()), 4)}


def train_and_ship(*, data_dir=None, recipe: Recipe = Recipe(), out_dir: Path = ASSETS,
                   command: str | None = None,
                   log: Callable[[str], None] = print) -> SentenceCard:
    seed = recipe.seed
    sentences, files = statements(data_dir)
    train, val = split(sentences, seed=seed)
    vocab = Vocabulary.build(sentences)
    log(f"sentences: {len(train)} training, {len(val)} held-out distinct statements, "
        f"{len(vocab) - 1} words, up to {vocab.length} long")
    model = build(vocab, seed=seed)
    x = vocab.encode(train)
    model.compile(keras.optimizers.get({"class_name": recipe.optimizer,
                                        "config": {"learning_rate": recipe.learning_rate}}),
                  loss="sparse_categorical_crossentropy")
    keras.utils.set_random_seed(seed)
    started = time.perf_counter()
    history = model.fit(x, x, validation_data=(vocab.encode(val),) * 2, epochs=recipe.epochs,
                        batch_size=recipe.batch_size, shuffle=True, verbose=2)
    seconds = time.perf_counter() - started
    metrics = {"validation": round_trip_accuracy(model, vocab, val),
               "train": round_trip_accuracy(model, vocab, train)}
    log(f"sentences: {metrics} after {seconds:.0f} s")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    shipped = build(vocab, name=model.name)  # uncompiled: no optimizer state
    shipped.set_weights(model.get_weights())
    shipped.save(out_dir / MODEL_PATH.name)
    vocab.save(out_dir / VOCAB_PATH.name)
    return cards.write_card(
        out_dir / CARD_PATH.name, SentenceCard,
        command=command or cards.training_command(),
        data_sha256={str(Path(f).relative_to(Path(f).parents[2])): datasets.sha256_of(f)
                     for f in files},
        metrics=metrics,
        model="sentences",
        code_size=CODE,
        vocabulary=len(vocab) - 1,
        sentence_length=vocab.length,
        split={"train": len(train), "validation": len(val), "seed": seed,
               "held_out": "whole distinct statements"},
        training=asdict(recipe),
        val_loss_history=[round(v, 5) for v in history.history["val_loss"]],
        training_seconds=round(seconds, 1),
        parameters=int(model.count_params()),
        attribution="Facebook bAbI tasks v1.2 (Weston et al. 2015), CC BY 3.0",
    )


def load_shipped(folder: Path = ASSETS) -> tuple[keras.Model, Vocabulary, SentenceCard]:
    """(model, vocabulary, card) of the shipped sentence autoencoder."""
    rebuild = "python -m core train sequence-autoencoder --model sentences"
    if not (folder / VOCAB_PATH.name).exists():
        raise FileNotFoundError(f"{folder / VOCAB_PATH.name} is missing: rebuild it with "
                                f"`{rebuild}`")
    model, card = cards.load_shipped(folder / MODEL_PATH.name, SentenceCard, rebuild=rebuild)
    return model, Vocabulary.load(folder / VOCAB_PATH.name), card


@dataclass(frozen=True)
class Trip:
    """One typed sentence through the autoencoder."""
    words: tuple[str, ...]  # what the model read (known words, cut to the length)
    unknown: list[str]  # as typed, in order of appearance
    cut: int  # known words beyond the model's sentence length, left out
    code: np.ndarray
    steps: list[list[tuple[str, float]]]  # per position, the three likeliest words ("": end)
    rebuilt: tuple[str, ...]


def trip(model: keras.Model, vocab: Vocabulary, text: str) -> Trip:
    typed, index = babi.words(text), vocab.index
    known = tuple(word for _, word in typed if word in index)
    unknown = list(dict.fromkeys(as_typed for as_typed, word in typed  # named as typed
                                 if word not in index))
    encoder, decoder = parts(model)
    code = np.asarray(encoder.predict_on_batch(vocab.encode([known])))[0]
    probabilities = np.asarray(decoder.predict_on_batch(code[None]))
    steps = [[(vocab.words[i], float(p[i])) for i in np.argsort(p)[::-1][:3]]
             for p in probabilities[0]]
    return Trip(known[: vocab.length], unknown, max(0, len(known) - vocab.length), code, steps,
                decode(vocab, probabilities)[0])


def codes(model: keras.Model, vocab: Vocabulary, sentences) -> np.ndarray:
    return np.asarray(parts(model)[0].predict(vocab.encode(sentences), batch_size=512,
                                              verbose=0))


def nearest(all_codes: np.ndarray, code: np.ndarray, k: int = 5) -> tuple[np.ndarray, np.ndarray]:
    """(indices, distances) of the k codes closest to `code` (Euclidean)."""
    distances = np.linalg.norm(all_codes - code[None], axis=1)
    order = np.argsort(distances)[:k]
    return order, distances[order]
