"""What the Memory network page shows, computed: where each hop looked, the answers ranked,
the book's network beside the memory network, what supervision buys, the task table and the
code of the model, as tables and Altair charts (no Streamlit here).

Column keys stay English (tests and code read them); `*_COLUMNS` are their labels, for
`core.i18n.labels`.
"""

from __future__ import annotations

import inspect

import altair as alt
import keras
import numpy as np
import pandas as pd

from core import cards
from core.babi import book, data, model, training
from core.babi.answering import Answer, Reading
from core.babi.data import Example, story_text
from core.babi.training import FAILED_ERROR, BabiCard, card_path
from core.i18n import N_, _

LAYER_COLUMNS = {"layer": N_("layer"), "type": N_("type"), "output shape": N_("output shape"),
                 "parameters": N_("parameters")}


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
    {"model": N_("MemN2N (Sukhbaatar et al. 2015), best variant"), "mean error": 0.042,
     "failed": 3},
    {"model": "DMN+ (Xiong et al. 2016)", "mean error": 0.028, "failed": 1},
    {"model": "EntNet (Henaff et al. 2017)", "mean error": 0.005, "failed": 0},
]
ANCHOR_COLUMNS = {"model": N_("model"), "mean error": N_("mean error"),
                  "failed": N_("tasks failed (> 5% error)")}


def extensions(card: BabiCard) -> str:
    """What a shipped model adds to the paper's MemN2N, in words ("" for none)."""
    recipe = card.training
    added = []
    if recipe.get("relations"):
        added.append(_("a relation module over every pair of statements ({units} units)",
                       units=recipe["relations"]))
    if recipe.get("supervise"):
        added.append(_("hops trained to look at bAbI's supporting facts (strong supervision)"))
    if recipe.get("answer_units"):
        added.append(_("a hidden answer layer ({units} units, reading each hop separately)",
                       units=recipe["answer_units"]) if recipe.get("answer_reads") else
                     _("a hidden answer layer ({units} units)", units=recipe["answer_units"]))
    return "; ".join(added)


TASK_COLUMNS = {"task": N_("task"), "reasoning": N_("reasoning"),
                "validation accuracy": N_("validation accuracy"), "error": N_("error rate"),
                "questions": N_("questions"), "hops": N_("hops"), "dim": N_("dim"),
                "added to MemN2N": N_("added to MemN2N"),
                "supervised attention": N_("supervised attention"),
                "parameters": N_("parameters"), "training s": N_("training s"),
                "answer ms": N_("answer ms")}


def task_table() -> list[dict]:
    """One row per bAbI task: the shipped model's validation accuracy, its shape and cost."""
    rows = []
    for task, (_stem, title) in data.TASKS.items():
        path = card_path(task)
        if not path.exists():
            rows.append({"task": task, "reasoning": _(title)})
            continue
        card = cards.read_card(path, BabiCard)
        recipe, validation = card.training, card.validation
        rows.append({"task": task, "reasoning": _(title),
                     "validation accuracy": validation["accuracy"],
                     "error": 1 - validation["accuracy"],
                     "questions": validation["questions"],
                     "hops": recipe.get("hops"), "dim": recipe.get("dim"),
                     "added to MemN2N": extensions(card) or "—",
                     "supervised attention": bool(recipe.get("supervise")),
                     "parameters": card.parameters,
                     "training s": card.training_seconds,
                     "answer ms": card.latency_ms})
    return rows


def summary(rows: list[dict]) -> dict | None:
    """Mean validation error and failed tasks over the table's rows; None if any is missing."""
    errors = [row.get("error") for row in rows]
    if any(e is None for e in errors):
        return None
    return {"mean error": float(np.mean(errors)),
            "failed": sum(e > FAILED_ERROR for e in errors)}


def anchors_table(rows: list[dict]) -> list[dict]:
    """These models' mean error and failed tasks (when every task has a card) above the
    published memory networks'."""
    ours = summary(rows)
    published = [{**row, "model": _(row["model"])} for row in PUBLISHED]
    return ([{"model": _("these models (validation split)"), **ours}] if ours else []) + published


def longest_training_minutes(rows: list[dict]) -> float:
    """The longest training of a shipped task model, in minutes (from the cards)."""
    return max((row.get("training s") or 0) for row in rows) / 60


def generated_task() -> tuple[int, int, int] | None:
    """(task, generated training questions, real validation questions) of the task whose model
    learns from the story generator only; None without its card."""
    task = next(t for t, r in training.RECIPES.items() if data.HOLD_OUT[t] >= 1)
    if not card_path(task).exists():
        return None
    return (task, training.RECIPES[task].synthetic,
            cards.read_card(card_path(task), BabiCard).validation["questions"])


def supervision_rows() -> list[dict]:
    """For each task whose shipped network also learnt bAbI's supporting facts and whose
    answer-only twin is shipped: both validation accuracies, from their cards."""
    rows = []
    for task in training.supervised_tasks():
        both = {kind: card_path(task, kind) for kind in ("memn2n", "answer-only")}
        if not all(path.exists() for path in both.values()):
            continue
        read = {kind: cards.read_card(path, BabiCard) for kind, path in both.items()}
        rows.append({"task": task, "title": _(data.TASKS[task][1]),
                     "supervised": read["memn2n"].validation["accuracy"],
                     "answer only": read["answer-only"].validation["accuracy"],
                     "command": read["answer-only"].command})
    return rows


def supervision_chart(rows: list[dict]) -> alt.Chart:
    """Validation accuracy per task, told where to look vs the answers alone (side by side)."""
    told, alone = _("told the supporting facts"), _("the answers alone")
    frame = pd.DataFrame([{"task": _("task {task}: {title}", task=r["task"], title=r["title"]),
                           "training": name, "accuracy": r[key]}
                          for r in rows for key, name in (("supervised", told),
                                                          ("answer only", alone))])
    return alt.Chart(frame).mark_bar().encode(
        x=alt.X("accuracy:Q", title=_("validation accuracy"), scale=alt.Scale(domain=[0, 1]),
                axis=alt.Axis(format="%")),
        y=alt.Y("training:N", title=None, sort=[told, alone]),
        row=alt.Row("task:N", title=None, header=alt.Header(labelAngle=0, labelAlign="left")),
        color=alt.Color("training:N", sort=[told, alone], title=_("what it learned from")),
        tooltip=[alt.Tooltip("task:N", title=_("task")),
                 alt.Tooltip("training:N", title=_("what it learned from")),
                 alt.Tooltip("accuracy:Q", title=_("validation accuracy"), format=".1%")],
    ).properties(height=alt.Step(16))


def chain(example: Example) -> list[str]:
    """The statements bAbI names as supporting an answer, in the order it lists them (the
    order a reader, or a supervised hop, follows them)."""
    return [" ".join(example.story[i]) for i in example.supporting]


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


def book_comparison(book_card: BabiCard, book_ranking: list[tuple[str, float]],
                    card: BabiCard, ranking: list[tuple[str, float]]) -> list[dict]:
    """The book's network and the memory network side by side: name (and its anchor), best
    answer and its probability, validation accuracy, parameters."""
    return [{"name": name, "anchor": anchor, "answer": ranked[0][0],
             "probability": ranked[0][1], "accuracy": meta.validation["accuracy"],
             "parameters": meta.parameters}
            for name, anchor, ranked, meta in (
                (_("Book: last {window} statements, LSTM({units})", window=book.WINDOW,
                   units=book.LATENT), "book-network", book_ranking, book_card),
                (_("Memory network: {hops} hops", hops=card.training["hops"]),
                 "memory-network", ranking, card))]


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
            rows.append({"hop": _("hop {n}", n=hop), "attention": float(weight),
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
        tooltip=[alt.Tooltip("hop:N", title=_("hop")),
                 alt.Tooltip("statement:N", title=_("statement")),
                 alt.Tooltip("attention:Q", title=_("attention"), format=".1%")])
    numbers = base.mark_text(fontSize=11).encode(
        text=alt.Text("attention:Q", format=".0%"),
        color=alt.condition("datum.attention > 0.5", alt.value("white"), alt.value("#333")))
    return (heat + numbers).properties(height=alt.Step(26))


def ranking_chart(ranking: list[tuple[str, float]]) -> alt.Chart:
    """The most likely answers as bars of probability."""
    frame = pd.DataFrame(ranking, columns=["word", "probability"])
    return alt.Chart(frame).mark_bar().encode(
        x=alt.X("probability:Q", title=_("probability"), scale=alt.Scale(domain=[0, 1]),
                axis=alt.Axis(format="%")),
        y=alt.Y("word:N", sort="-x", title=None),
        tooltip=[alt.Tooltip("word:N", title=_("word")),
                 alt.Tooltip("probability:Q", title=_("probability"), format=".2%")],
    ).properties(height=alt.Step(24), title=_("The five most likely answers"))


def build_code() -> str:
    """The source of the function that builds every shipped memory network, as it runs."""
    return inspect.getsource(model.build)
