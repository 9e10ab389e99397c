"""The end-to-end memory network (Sukhbaatar et al. 2015) in the Keras functional API.

Each hop k embeds every memory twice (A_k to match the question, C_k to answer), attends with a
softmax over the memories and adds what it read to the controller state u. Adjacent weight
tying (A_{k+1} = C_k, B = A_1) means K hops need K + 1 embedding tables. Sentences become
vectors by position encoding; a learned temporal encoding says how long ago each was said.
"""

from __future__ import annotations

import keras
import numpy as np
from keras import layers, ops

SEED = 7


def position_encoding(sentence_size: int, dim: int) -> np.ndarray:
    """The paper's l_kj = (1 - j/J) - (k/d)(1 - 2j/J), shape (J, d), j and k from 1."""
    j = np.arange(1, sentence_size + 1)[:, None] / sentence_size
    k = np.arange(1, dim + 1)[None, :] / dim
    return ((1 - j) - k * (1 - 2 * j)).astype("float32")


@keras.saving.register_keras_serializable(package="babi")
class PositionEncodedSum(layers.Layer):
    """Word embeddings (..., J, d) and their ids (..., J) -> sentence vectors (..., d).

    Padding words (id 0) count for nothing, so typed sentences of any length work.
    """

    def call(self, inputs):
        embedded, ids = inputs
        weights = ops.convert_to_tensor(position_encoding(embedded.shape[-2], embedded.shape[-1]))
        present = ops.expand_dims(ops.cast(ops.not_equal(ids, 0), embedded.dtype), -1)
        return ops.sum(embedded * weights * present, axis=-2)


@keras.saving.register_keras_serializable(package="babi")
class TemporalEncoding(layers.Layer):
    """Adds a learned vector per memory slot (slot 0 = the latest statement)."""

    def build(self, input_shape):
        self.table = self.add_weight(shape=tuple(input_shape[-2:]), name="table",
                                     initializer=keras.initializers.RandomNormal(stddev=0.1))

    def call(self, memories):
        return memories + self.table


@keras.saving.register_keras_serializable(package="babi")
class MemoryAttention(layers.Layer):
    """Match scores u·m_i over the non-empty memories, as a softmax (or linear: the paper's
    "linear start", which removes the softmax while training begins)."""

    def __init__(self, linear: bool = False, **kwargs):
        super().__init__(**kwargs)
        self.linear = linear

    def call(self, inputs):
        query, memories, story_ids = inputs
        scores = ops.einsum("bmd,bd->bm", memories, query)
        present = ops.any(ops.not_equal(story_ids, 0), axis=-1)
        if self.linear:
            return ops.where(present, scores, 0.0)
        scores = ops.where(present, scores, -1e9)
        return ops.softmax(scores, axis=-1) * ops.cast(present, scores.dtype)

    def get_config(self):
        return {**super().get_config(), "linear": self.linear}


@keras.saving.register_keras_serializable(package="babi")
class PairRelations(layers.Layer):
    """A relation module (Santoro et al. 2017): an MLP g looks at every pair of memories with
    a query (here the state after the hops), g(m_i, m_j, u), and the results of all pairs of
    real statements are summed.
    Its first layer is split, W [m_i; m_j; q] = W_i m_i + W_j m_j + W_q q, so that the
    pairs cost a broadcast sum instead of M^2 concatenations."""

    def __init__(self, units: int, **kwargs):
        super().__init__(**kwargs)
        self.units = units

    def build(self, input_shape):
        dim = input_shape[0][-1]
        init = keras.initializers.GlorotUniform()
        self.w_i = self.add_weight(shape=(dim, self.units), initializer=init, name="w_i")
        self.w_j = self.add_weight(shape=(dim, self.units), initializer=init, name="w_j")
        self.w_q = self.add_weight(shape=(dim, self.units), initializer=init, name="w_q")
        self.bias = self.add_weight(shape=(self.units,), initializer="zeros", name="bias")
        self.w_2 = self.add_weight(shape=(self.units, self.units), initializer=init, name="w_2")
        self.bias_2 = self.add_weight(shape=(self.units,), initializer="zeros", name="bias_2")

    def call(self, inputs):
        memories, query, story_ids = inputs
        left = ops.expand_dims(ops.matmul(memories, self.w_i), 2)  # (b, M, 1, h)
        right = ops.expand_dims(ops.matmul(memories, self.w_j), 1)  # (b, 1, M, h)
        asked = ops.matmul(query, self.w_q)[:, None, None, :]
        hidden = ops.relu(left + right + asked + self.bias)
        hidden = ops.relu(ops.matmul(hidden, self.w_2) + self.bias_2)
        present = ops.cast(ops.any(ops.not_equal(story_ids, 0), axis=-1), hidden.dtype)
        pairs = present[:, :, None] * present[:, None, :]
        return ops.einsum("bijh,bij->bh", hidden, pairs)

    def get_config(self):
        return {**super().get_config(), "units": self.units}


def build(vocab_size: int, memory_size: int, sentence_size: int, *, dim: int = 40,
          hops: int = 3, linear: bool = False, seed: int = SEED, answer_units: int = 0,
          answer_reads: bool = False, relations: int = 0) -> keras.Model:
    """Inputs story (memory, words) and question (words) ids; outputs the answer
    probabilities and, as one more output, every hop's attention (batch, hops, memory).

    The defaults are the paper's MemN2N. Extensions, for tasks whose facts must be compared
    or combined rather than just found:
    - answer_units: a hidden ReLU layer on [state, question] before the answer softmax;
    - answer_reads: that layer sees the question and each hop's read side by side, rather
      than their sum, so that it knows which fact came from which hop;
    - relations: a relation module over every pair of memories (PairRelations), whose
      summary joins the state before the answer.
    """
    keras.utils.set_random_seed(seed)
    story = keras.Input((memory_size, sentence_size), dtype="int32", name="story")
    question = keras.Input((sentence_size,), dtype="int32", name="question")
    init = keras.initializers.RandomNormal(stddev=0.1)
    tables = [layers.Embedding(vocab_size, dim, embeddings_initializer=init, name=f"embed_{k}")
              for k in range(hops + 1)]
    times = [TemporalEncoding(name=f"time_{k}") for k in range(hops + 1)]
    encode = PositionEncodedSum(name="position_encoding")

    memories = [times[k](encode([tables[k](story), story])) for k in range(hops + 1)]
    q = encode([tables[0](question), question])
    u = q
    attentions, reads = [], []
    for k in range(hops):
        p = MemoryAttention(linear=linear, name=f"attention_{k + 1}")([u, memories[k], story])
        attentions.append(layers.Reshape((1, memory_size), name=f"hop_{k + 1}")(p))
        read = layers.Dot(axes=(1, 1), name=f"read_{k + 1}")([p, memories[k + 1]])
        reads.append(read)
        u = layers.Add(name=f"state_{k + 1}")([u, read])
    if relations:
        # the pairs are judged against what the hops have gathered, not the bare question
        related = PairRelations(relations, name="relations")([memories[0], u, story])
        u = layers.Concatenate(name="state_relations")([u, related])
    if answer_units:
        seen = [q, *reads] if answer_reads else [u, q]
        u = layers.Dense(answer_units, activation="relu", name="answer_hidden")(
            layers.Concatenate(name="state_question")(seen))
    answer = layers.Dense(vocab_size, activation="softmax", use_bias=False, name="answer")(u)
    attention = layers.Concatenate(axis=1, name="attention")(attentions)
    return keras.Model([story, question], [answer, attention], name="memn2n")
