"""The book's question-answering network (Gulli & Pal, chapter 7), for comparison.

The book resets the story after every question, so the network only ever reads a fixed window:
the last two statements, as one run of words. It matches story and question words by dot
products, adds a second story embedding, and lets an LSTM(32) read the result with the question.
"""

from __future__ import annotations

from dataclasses import dataclass

import keras
import numpy as np
from keras import layers

from core.babi.data import Example
from core.babi.vectorize import Vocabulary

WINDOW = 2  # statements the book's network sees
LATENT = 32  # units of its LSTM
SEED = 7


def window_length(vocab: Vocabulary) -> int:
    return WINDOW * vocab.sentence_size


def encode(examples: list[Example], vocab: Vocabulary) -> dict[str, np.ndarray]:
    """{"story": (n, window words), "question": (n, words), "answer": (n,)}; pre-padded."""
    index = vocab.index
    length = window_length(vocab)
    stories = np.zeros((len(examples), length), dtype="int32")
    questions = np.zeros((len(examples), vocab.sentence_size), dtype="int32")
    answers = np.zeros(len(examples), dtype="int32")
    for k, e in enumerate(examples):
        words = [index[w] for s in e.story[-WINDOW:] for w in s if w in index][-length:]
        if words:
            stories[k, -len(words):] = words
        ids = [index[w] for w in e.question if w in index][: vocab.sentence_size]
        questions[k, : len(ids)] = ids
        answers[k] = index.get(e.answer, 0)
    return {"story": stories, "question": questions, "answer": answers}


def build(vocab: Vocabulary, *, dim: int = 64, latent: int = LATENT,
          seed: int = SEED) -> keras.Model:
    keras.utils.set_random_seed(seed)
    size = len(vocab)
    story = keras.Input((window_length(vocab),), dtype="int32", name="story")
    question = keras.Input((vocab.sentence_size,), dtype="int32", name="question")
    story_a = layers.Dropout(0.3)(layers.Embedding(size, dim, name="story_embedding")(story))
    question_a = layers.Dropout(0.3)(layers.Embedding(size, dim, name="question_embedding")(
        question))
    match = layers.Dot(axes=(2, 2), name="match")([story_a, question_a])
    match = layers.Softmax(name="match_softmax")(match)
    story_c = layers.Embedding(size, vocab.sentence_size, name="story_embedding_c")(story)
    response = layers.Add(name="response")([match, layers.Dropout(0.3)(story_c)])
    response = layers.Permute((2, 1))(response)
    joined = layers.Concatenate(axis=-1)([response, question_a])
    hidden = layers.Dropout(0.3)(layers.LSTM(latent, name="lstm")(joined))
    answer = layers.Dense(size, activation="softmax", name="answer")(hidden)
    return keras.Model([story, question], answer, name="book_qa")


@dataclass(frozen=True)
class Recipe:
    """How the book's network is trained, recorded as it is in its card."""

    epochs: int = 30
    batch_size: int = 128
    optimizer: str = "rmsprop"
    learning_rate: float = 0.01
    seed: int = SEED


def fit(train: dict, validation: dict, vocab: Vocabulary, recipe: Recipe = Recipe()) -> keras.Model:
    net = build(vocab, seed=recipe.seed)
    net.compile(keras.optimizers.get({"class_name": recipe.optimizer,
                                      "config": {"learning_rate": recipe.learning_rate}}),
                loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    net.fit({"story": train["story"], "question": train["question"]}, train["answer"],
            batch_size=recipe.batch_size, epochs=recipe.epochs, verbose=0,
            validation_data=({"story": validation["story"], "question": validation["question"]},
                             validation["answer"]))
    return net
