"""A small world like bAbI's, so that the page has fresh stories even with no data at all.

People move between places and pick up and drop objects; the simulator knows where everything
is at every moment, so each question's answer and supporting statements follow from the story.
"""

from __future__ import annotations

import random

import numpy as np

from core.babi.data import Example

PEOPLE = ("daniel", "john", "mary", "sandra")
PLACES = ("bathroom", "bedroom", "garden", "hallway", "kitchen", "office")
OBJECTS = ("apple", "football", "milk")
MOVES = ("moved to the", "went to the", "went back to the", "journeyed to the",
         "travelled to the")
GRABS = ("got the", "grabbed the", "picked up the", "took the")
DROPS = ("dropped the", "discarded the", "left the", "put down the")
# Per task, as in bAbI's files: how often a pick-up or drop ends in "there", how often a
# person holding something drops it rather than picks up more, and how often task 3 may ask
# about an object still held (bAbI's task 3 asks mostly just after a drop).
STYLE = {1: {"there": 0.5, "drop": 0.4}, 2: {"there": 0.5, "drop": 0.4},
         3: {"there": 0.2, "drop": 0.65, "ask_held": 0.3, "short": 0.85}}


class World:
    """The state after each statement: where people are, who holds what, where things were."""

    def __init__(self, rng: random.Random, task: int):
        self.rng = rng
        self.task = task
        self.story: list[tuple[str, ...]] = []
        self.place: dict[str, str] = {}
        self.last_move: dict[str, int] = {}  # person -> statement index of their latest move
        self.holder: dict[str, str | None] = dict.fromkeys(OBJECTS)
        self.touched: dict[str, int] = {}  # object -> index of its latest pick-up or drop
        self.anchor: dict[str, int] = {}  # object -> the move that placed its last handler
        # object -> [(place, index of the statement that took it there)], changes only
        self.trail: dict[str, list[tuple[str, int]]] = {o: [] for o in OBJECTS}
        # object -> [(place, index of the move)]: its holder's moves since the latest pick-up
        self.carried: dict[str, list[tuple[str, int]]] = {o: [] for o in OBJECTS}

    def say(self, text: str) -> int:
        self.story.append(tuple(text.split()))
        return len(self.story) - 1

    def move(self, person: str) -> None:
        place = self.rng.choice([p for p in PLACES if p != self.place.get(person)])
        self.place[person] = place
        self.last_move[person] = self.say(f"{person} {self.rng.choice(MOVES)} {place}")
        for obj, holder in self.holder.items():
            if holder == person:
                self.trail[obj].append((place, self.last_move[person]))
                self.carried[obj].append((place, self.last_move[person]))
                self.anchor[obj] = self.last_move[person]

    def _suffix(self) -> str:
        return " there" if self.rng.random() < STYLE[self.task]["there"] else ""

    def grab(self, person: str, obj: str) -> None:
        self.touched[obj] = self.say(f"{person} {self.rng.choice(GRABS)} {obj}{self._suffix()}")
        self.holder[obj] = person
        self.carried[obj] = []
        self.anchor[obj] = self.last_move[person]
        if not self.trail[obj] or self.trail[obj][-1][0] != self.place[person]:
            self.trail[obj].append((self.place[person], self.last_move[person]))

    def drop(self, obj: str) -> None:
        person = self.holder[obj]
        self.touched[obj] = self.say(f"{person} {self.rng.choice(DROPS)} {obj}{self._suffix()}")
        self.holder[obj] = None

    def act(self, task: int) -> None:
        """One random statement that makes sense in the current state."""
        placed = [p for p in PEOPLE if p in self.place]
        if task == 1 or not placed or self.rng.random() < 0.55:
            self.move(self.rng.choice(PEOPLE))
            return
        person = self.rng.choice(placed)
        held = [o for o, h in self.holder.items() if h == person]
        free = [o for o, h in self.holder.items() if h is None]
        if held and (not free or self.rng.random() < STYLE[task]["drop"]):
            self.drop(self.rng.choice(held))
        elif free:
            self.grab(person, self.rng.choice(free))
        else:
            self.move(person)

    def question(self, task: int) -> Example | None:
        """A question about the present state, or None when none is answerable yet."""
        if task == 1:
            if not self.place:
                return None
            person = self.rng.choice(sorted(self.place))
            return self._example(("where", "is", person), self.place[person],
                                 (self.last_move[person],))
        if task == 3:
            return self._before_question()
        asked = [o for o in OBJECTS if o in self.touched]
        if not asked:
            return None
        obj = self.rng.choice(asked)
        return self._example(("where", "is", "the", obj), self.trail[obj][-1][0],
                             tuple(sorted({self.touched[obj], self.anchor[obj]})))

    def _before_question(self, recent: int = 5, tight: int = 3) -> Example | None:
        """Task 3 as bAbI asks it: "where was the O before the X", where O's holder carried it
        from the answer to X by two moves since the latest pick-up; the question comes within
        `recent` statements of the last supporting fact. Mostly just after O was dropped; for
        an object still held, only right after a pick-up and two moves in quick succession."""
        dropped, held = [], []
        for obj, moves in self.carried.items():
            places = [place for place, _ in moves]
            still_held = self.holder[obj] is not None
            for j in range(len(moves) - 1):
                supporting = sorted((self.touched[obj], moves[j][1], moves[j + 1][1]))
                if (places[j + 1] in places[j + 2:]  # "before X" names X's latest visit
                        or len(self.story) - supporting[-1] > recent
                        or still_held and max(np.diff(supporting)) > tight
                        or self.rng.random() > STYLE[3]["short"] ** np.ptp(supporting)):
                    continue
                choice = (obj, places[j], places[j + 1], tuple(supporting))
                (held if still_held else dropped).append(choice)
        choices = held if held and self.rng.random() < STYLE[3]["ask_held"] else dropped
        if not choices:
            return None
        obj, before, here, supporting = self.rng.choice(choices)
        return self._example(("where", "was", "the", obj, "before", "the", here), before,
                             supporting)

    def _example(self, question, answer, supporting) -> Example:
        return Example(tuple(self.story), question, answer, supporting, 0)


def story(task: int, seed: int | None = None, min_statements: int = 4,
          max_statements: int = 14) -> Example:
    """One story for `task` (1, 2 or 3) ending in an answerable question."""
    rng = random.Random(seed)
    world = World(rng, task)
    length = rng.randint(min_statements, max_statements)
    while True:
        world.act(task)
        if len(world.story) >= length and (example := world.question(task)):
            return example


def _pause(task: int, rng: random.Random) -> int:
    """Statements before the next question; task 3 asks like bAbI's file: often again two
    statements later, otherwise after a longer stretch."""
    if task == 3:
        return 2 if rng.random() < 0.55 else rng.randint(2, 8)
    return rng.randint(3, 12)


def examples(task: int, count: int, seed: int = 0, questions_per_story: int = 5,
             reach: int = 30) -> list[Example]:
    """`count` questions in bAbI's rhythm: stories of several questions, a few statements
    apart, each story numbered like a file's. Like bAbI's, every question can be answered
    from the last `reach` statements."""
    rng = random.Random(seed)
    out: list[Example] = []
    story_id = 0
    while len(out) < count:
        world = World(rng, task)
        for _ in range(questions_per_story if len(out) + questions_per_story <= count
                       else count - len(out)):
            for _ in range(_pause(task, rng)):
                world.act(task)
            while not (example := world.question(task)) or (
                    len(example.story) - min(example.supporting) > reach):
                world.act(task)
            out.append(Example(example.story, example.question, example.answer,
                               example.supporting, story_id))
        story_id += 1
    return out
