"""A few bAbI questions per task, shipped in assets/ so that every task has real stories offline.

They are taken from each task's validation stories (never trained on) and keep bAbI's
license, CC BY 3.0, whose attribution travels inside the file.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

from core.babi import data
from core.babi.data import Example
from core.cards import ASSETS
from core.i18n import N_

PATH = ASSETS / "babi" / "examples.json"
PER_TASK = 6
ATTRIBUTION = N_("Stories and questions from the bAbI tasks v1.2 by Facebook AI Research "
                 "(Weston et al. 2015, https://research.facebook.com/downloads/babi/), "
                 "licensed CC BY 3.0 (https://creativecommons.org/licenses/by/3.0/). "
                 "Taken unchanged except for lowercasing and dropped punctuation.")


def pick(examples: list[Example], count: int = PER_TASK, longest: int = 12) -> list[Example]:
    """One question from each of the first `count` stories with a short enough story."""
    chosen, stories = [], set()
    for e in examples:
        if e.story_id not in stories and len(e.story) <= longest:
            chosen.append(e)
            stories.add(e.story_id)
        if len(chosen) == count:
            break
    return chosen


def write(data_dir=None, path: Path = PATH) -> dict[int, int]:
    """Rewrite the shipped file from the validation stories; {task: questions written}."""
    tasks = {}
    for task in data.TASKS:
        examples = data.validation_split(task, data.parse_file(data.train_file(task, data_dir)))[1]
        longest = 12 if task not in (2, 3, 5, 7, 8) else 30  # stories that run long
        tasks[str(task)] = [{"story": [" ".join(s) for s in e.story],
                             "question": " ".join(e.question), "answer": e.answer,
                             "supporting": list(e.supporting)}
                            for e in pick(examples, longest=longest)]
    Path(path).write_text(json.dumps({"license": ATTRIBUTION, "tasks": tasks}, indent=1) + "\n")
    return {int(t): len(rows) for t, rows in tasks.items()}


def load(task: int, path: Path = PATH) -> list[Example]:
    """The shipped questions of one task, as Examples (each its own story)."""
    rows = json.loads(Path(path).read_text())["tasks"].get(str(task), [])
    return [Example(tuple(tuple(s.split()) for s in row["story"]), tuple(row["question"].split()),
                    row["answer"], tuple(row["supporting"]), k) for k, row in enumerate(rows)]


def pick_one(examples: list[Example], seed: int) -> Example:
    """One of `examples`, drawn from `seed` (the page's "New story")."""
    return examples[random.Random(seed).randrange(len(examples))]
