"""bAbI v1.2 files: parse stories and questions, split by story, normalize typed text.

A bAbI file is a run of numbered lines; the numbering restarts at 1 where a new story begins.
A question line holds ``question<TAB>answer<TAB>supporting ids``; its story is every statement
since the restart, up to the question (questions are not statements).
"""

from __future__ import annotations

import random
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from core import datasets
from core.i18n import N_

TASKS = {  # task number -> (file stem, title)
    1: ("qa1_single-supporting-fact", N_("one supporting fact")),
    2: ("qa2_two-supporting-facts", N_("two supporting facts")),
    3: ("qa3_three-supporting-facts", N_("three supporting facts")),
    4: ("qa4_two-arg-relations", N_("two-argument relations")),
    5: ("qa5_three-arg-relations", N_("three-argument relations")),
    6: ("qa6_yes-no-questions", N_("yes/no questions")),
    7: ("qa7_counting", N_("counting")),
    8: ("qa8_lists-sets", N_("lists and sets")),
    9: ("qa9_simple-negation", N_("simple negation")),
    10: ("qa10_indefinite-knowledge", N_("indefinite knowledge")),
    11: ("qa11_basic-coreference", N_("basic coreference")),
    12: ("qa12_conjunction", N_("conjunction")),
    13: ("qa13_compound-coreference", N_("compound coreference")),
    14: ("qa14_time-reasoning", N_("time reasoning")),
    15: ("qa15_basic-deduction", N_("basic deduction")),
    16: ("qa16_basic-induction", N_("basic induction")),
    17: ("qa17_positional-reasoning", N_("positional reasoning")),
    18: ("qa18_size-reasoning", N_("size reasoning")),
    19: ("qa19_path-finding", N_("path finding")),
    20: ("qa20_agents-motivations", N_("agent's motivations")),
}
REASONING = {  # task number -> what a reader must do to answer, in one line
    1: N_("find the one statement that says where the person is now"),
    2: N_("chain two facts: who holds the object, then where that person is"),
    3: N_("chain three facts to say where an object was before it came somewhere"),
    4: N_("read a relation both ways: the kitchen is north of the garden, so what is south of "
          "it?"),
    5: N_("keep track of who gave what to whom"),
    6: N_("answer yes or no about a person's whereabouts"),
    7: N_("count the objects a person is carrying"),
    8: N_("list every object a person carries (the answer is a comma-separated list)"),
    9: N_("understand \"is no longer in\" and \"is not in\""),
    10: N_("say \"maybe\" when the story only says \"either ... or ...\""),
    11: N_("resolve \"he\" and \"she\" to the person just mentioned"),
    12: N_("follow two people who act together (\"Mary and Daniel travelled ...\")"),
    13: N_("resolve \"they\" to the group just mentioned (\"Mary and Daniel went ... Then "
           "they journeyed ...\")"),
    14: N_("order events in time: yesterday, this morning, this afternoon, this evening"),
    15: N_("apply a general rule to a member: mice are afraid of wolves, Gertrude is a mouse"),
    16: N_("generalize from another member of the kind: Julius is a lion and is white, Brian "
           "is a lion, so Brian is white"),
    17: N_("combine two spatial relations: left, right, above, below"),
    18: N_("chain size comparisons: does the box fit in the suitcase?"),
    19: N_("find a two-step path between rooms (the answer is two compass directions)"),
    20: N_("infer why someone acts or where they go from how they feel"),
}
_ASCII_WORD = re.compile(r"[A-Za-z0-9]+")


class BabiFormatError(ValueError):
    """A file that is not in the bAbI format; the message names the line."""


@dataclass(frozen=True)
class Example:
    story: tuple[tuple[str, ...], ...]  # statements, oldest first, each a tuple of words
    question: tuple[str, ...]
    answer: str
    supporting: tuple[int, ...]  # indices into `story` of the supporting statements
    story_id: int  # which story of the file this question belongs to


def tokenize(text: str) -> tuple[str, ...]:
    """Lowercase words without punctuation: "Where is John?" -> ("where", "is", "john");
    any script: "Zoë went to the café" -> ("zoë", "went", "to", "the", "café")."""
    return tuple(word for _, word in words(text))


def words(text: str) -> list[tuple[str, str]]:
    """(as typed, normalized) for each word of `text`.

    A word is a run of letters, digits and combining marks in any script; it is normalized
    with NFKC (so full-width "Ｊｏｈｎ" is "john") and lower case."""
    if text.isascii():  # the bAbI files: fast, and the same result
        return [(w, w.lower()) for w in _ASCII_WORD.findall(text)]
    found = []
    for typed in _runs(text):
        found += [(typed, w) for w in _runs(unicodedata.normalize("NFKC", typed).lower())]
    return found


def _runs(text: str) -> list[str]:
    """Runs of letters (L*), numbers (N*) and combining marks (M*): the others split words."""
    out, current = [], []
    for char in text:
        if unicodedata.category(char)[0] in "LNM":
            current.append(char)
        elif current:
            out.append("".join(current))
            current = []
    if current:
        out.append("".join(current))
    return out


def parse_lines(lines, source: str = "<text>") -> list[Example]:
    examples: list[Example] = []
    story: list[tuple[str, ...]] = []
    index_of: dict[int, int] = {}  # line id -> index in `story`
    story_id = -1
    for number, raw in enumerate(lines, 1):
        line = raw.strip("\r\n")
        if not line.strip():
            continue
        head, _, rest = line.partition(" ")
        if not head.isdigit():
            raise BabiFormatError(f"{source}, line {number}: expected a line number, got {line!r}")
        line_id = int(head)
        if line_id == 1:
            story, index_of, story_id = [], {}, story_id + 1
        elif story_id < 0:
            raise BabiFormatError(f"{source}, line {number}: the first story must start at 1")
        if "\t" in rest:
            fields = rest.split("\t")
            if len(fields) < 3:
                raise BabiFormatError(f"{source}, line {number}: a question needs "
                                      "question, answer and supporting ids")
            try:
                supporting = tuple(index_of[int(i)] for i in fields[2].split())
            except (KeyError, ValueError):
                raise BabiFormatError(f"{source}, line {number}: supporting ids {fields[2]!r} "
                                      "do not name earlier statements") from None
            examples.append(Example(tuple(story), tokenize(fields[0]), fields[1].strip().lower(),
                                    supporting, story_id))
        else:
            index_of[line_id] = len(story)
            story.append(tokenize(rest))
    return examples


def parse_file(path: str | Path) -> list[Example]:
    try:
        with open(path, encoding="utf-8") as f:
            return parse_lines(f, str(path))
    except UnicodeDecodeError as err:
        raise BabiFormatError(f"{path}: not a text file ({err.reason})") from None


def train_file(task: int, data_dir=None) -> Path:
    """The development training file: the 10k set where it exists, else the 1k set."""
    root = datasets.locate("babi", data_dir)
    stem = TASKS[task][0]
    for subset in ("en-10k", "en"):
        path = root / subset / f"{stem}_train.txt"
        if path.exists():
            return path
    raise datasets.DataNotFound(f"no training file for bAbI task {task} under {root}")


def split_by_story(examples: list[Example], fraction: float = 0.1,
                   seed: int = 0) -> tuple[list[Example], list[Example]]:
    """(train, validation): whole stories go to validation, so no story is seen by both."""
    stories = sorted({e.story_id for e in examples})
    held = set(random.Random(seed).sample(stories, max(1, round(len(stories) * fraction))))
    return ([e for e in examples if e.story_id not in held],
            [e for e in examples if e.story_id in held])


# Fraction of each task's training-file stories held out for validation. Task 3 has only
# 1,000 real questions: its model trains on generated stories only, so all of them validate it.
HOLD_OUT = {**dict.fromkeys(TASKS, 0.1), 3: 1.0}


def validation_split(task: int, examples: list[Example]) -> tuple[list[Example], list[Example]]:
    """(train, validation) of a task's training file, as the shipped models were made."""
    return split_by_story(examples, HOLD_OUT[task])


def validation_examples(task: int, data_dir=None) -> list[Example]:
    """The questions of the task's validation stories (never trained on)."""
    return validation_split(task, parse_file(train_file(task, data_dir)))[1]


def story_text(example: Example) -> str:
    return "\n".join(" ".join(s) for s in example.story)
