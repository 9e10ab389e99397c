"""A small world like bAbI's, so that the page has fresh stories even with no data at all.

People move between places and pick up and drop objects; the simulator knows where everything
is at every moment, so each question's answer and supporting statements follow from the story.
"""

from __future__ import annotations

import random

from core.babi.data import Example

PEOPLE = ("daniel", "john", "mary", "sandra")
PLACES = ("bathroom", "bedroom", "garden", "hallway", "kitchen", "office")
OBJECTS = ("apple", "football", "milk")
MOVES = ("moved to the", "went to the", "went back to the", "journeyed to the",
         "travelled to the")
GRABS = ("got the", "grabbed the", "picked up the", "took the")
DROPS = ("dropped the", "discarded the", "left the", "put down the")


class World:
    """The state after each statement: where people are, who holds what, where things were."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.story: list[tuple[str, ...]] = []
        self.place: dict[str, str] = {}
        self.last_move: dict[str, int] = {}  # person -> statement index of their latest move
        self.holder: dict[str, str | None] = dict.fromkeys(OBJECTS)
        self.touched: dict[str, int] = {}  # object -> index of its latest pick-up or drop
        self.anchor: dict[str, int] = {}  # object -> the move that placed its last handler
        # object -> [(place, index of the statement that took it there)], changes only
        self.trail: dict[str, list[tuple[str, int]]] = {o: [] for o in OBJECTS}

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
                self.anchor[obj] = self.last_move[person]

    def grab(self, person: str, obj: str) -> None:
        suffix = self.rng.choice(("", " there"))
        self.touched[obj] = self.say(f"{person} {self.rng.choice(GRABS)} {obj}{suffix}")
        self.holder[obj] = person
        self.anchor[obj] = self.last_move[person]
        if not self.trail[obj] or self.trail[obj][-1][0] != self.place[person]:
            self.trail[obj].append((self.place[person], self.last_move[person]))

    def drop(self, obj: str) -> None:
        person = self.holder[obj]
        suffix = self.rng.choice(("", " there"))
        self.touched[obj] = self.say(f"{person} {self.rng.choice(DROPS)} {obj}{suffix}")
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
        if held and (not free or self.rng.random() < 0.4):
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
        asked = [o for o in OBJECTS if o in self.touched]
        if task == 3:
            asked = [o for o in asked if len(self.trail[o]) >= 2]
        if not asked:
            return None
        obj = self.rng.choice(asked)
        here, arrived = self.trail[obj][-1]
        if task == 2:
            return self._example(("where", "is", "the", obj), here,
                                 tuple(sorted({self.touched[obj], self.anchor[obj]})))
        before, left = self.trail[obj][-2]
        return self._example(("where", "was", "the", obj, "before", "the", here), before,
                             tuple(sorted({self.touched[obj], arrived, left})))

    def _example(self, question, answer, supporting) -> Example:
        return Example(tuple(self.story), question, answer, supporting, 0)


def story(task: int, seed: int | None = None, min_statements: int = 4,
          max_statements: int = 14) -> Example:
    """One story for `task` (1, 2 or 3) ending in an answerable question."""
    rng = random.Random(seed)
    world = World(rng)
    length = rng.randint(min_statements, max_statements)
    while True:
        world.act(task)
        if len(world.story) >= length and (example := world.question(task)):
            return example


def examples(task: int, count: int, seed: int = 0, questions_per_story: int = 5,
             gap: tuple[int, int] = (3, 12), reach: int = 30) -> list[Example]:
    """`count` questions in bAbI's rhythm: stories of several questions, a few statements
    apart, each story numbered like a file's. Like bAbI's, every question can be answered
    from the last `reach` statements."""
    rng = random.Random(seed)
    out: list[Example] = []
    story_id = 0
    while len(out) < count:
        world = World(rng)
        asked = 0
        while asked < questions_per_story and len(out) < count:
            for _ in range(rng.randint(*gap)):
                world.act(task)
            example = world.question(task)
            if example and len(example.story) - min(example.supporting) <= reach:
                out.append(Example(example.story, example.question, example.answer,
                                   example.supporting, story_id))
                asked += 1
        story_id += 1
    return out
