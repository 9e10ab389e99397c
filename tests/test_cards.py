"""Metrics cards: typed, written from what was used, read back the same; one loader, one timer."""

import json
from dataclasses import dataclass, field
from types import SimpleNamespace

import pytest

from core import cards


@dataclass(frozen=True)
class ToyCard(cards.Card):
    inputs: list[str] = field(default_factory=list)


def test_a_card_round_trips_through_its_file(tmp_path):
    written = cards.write_card(tmp_path / "toy.json", ToyCard, command="python -m core train toy",
                               data_sha256={"toy.csv": "ab" * 32},
                               metrics={"validation": {"rmse": 0.5}}, training={"epochs": 3},
                               parameters=12, inputs=["a", "b"], note="kept in details")
    raw = json.loads((tmp_path / "toy.json").read_text())
    assert raw["inputs"] == ["a", "b"] and raw["note"] == "kept in details"  # one flat object
    assert "details" not in raw and raw["keras"] and raw["date"]
    read = cards.read_card(tmp_path / "toy.json", ToyCard)
    assert read == written
    assert read.validation == {"rmse": 0.5} and read.details == {"note": "kept in details"}
    assert cards.read_card(tmp_path / "toy.json").details["inputs"] == ["a", "b"]  # plain Card


def test_a_file_that_is_not_a_card_is_refused(tmp_path):
    (tmp_path / "x.json").write_text('{"words": ["a"]}')
    with pytest.raises(ValueError, match="not a metrics card"):
        cards.read_card(tmp_path / "x.json")


# A card sits beside every shipped model (vocabularies and example lists are JSON too).
SHIPPED_CARDS = sorted(p.with_suffix(".json") for p in cards.ASSETS.rglob("*.keras"))


def test_every_shipped_model_has_its_card():
    assert SHIPPED_CARDS and all(p.is_file() for p in SHIPPED_CARDS)


@pytest.mark.parametrize("path", SHIPPED_CARDS, ids=lambda p: p.name)
def test_every_shipped_card_reads_as_a_card(path):
    raw = json.loads(path.read_text())
    card = cards.read_card(path)
    assert card.command.startswith("python -m core ") and card.data_sha256
    assert card.to_json() == raw  # nothing lost, nothing added


def test_load_shipped_names_the_missing_file_and_the_fix(tmp_path):
    with pytest.raises(FileNotFoundError, match="toy.keras is missing.*python -m core train"):
        cards.load_shipped(tmp_path / "toy.keras", rebuild="python -m core train toy")


def test_latency_is_the_median_of_the_timed_calls_after_an_untimed_warm_up(monkeypatch):
    clock = [0.0]
    # seconds each call takes: a slow warm-up (tracing), then five timed calls
    durations = iter([9.0, 0.005, 0.001, 0.003, 0.100, 0.002])

    def call() -> None:
        clock[0] += next(durations)

    monkeypatch.setattr(cards, "time", SimpleNamespace(perf_counter=lambda: clock[0]))
    assert cards.latency_ms(call, repeats=5) == pytest.approx(3.0)  # not the mean, 22.2
    assert next(durations, None) is None  # the warm-up and five timed calls, no more


def test_percentile_of_a_card_table():
    table = [0.0, 10.0, 20.0]  # 0th, 50th and 100th percentiles
    assert cards.percentile_of(5.0, table) == pytest.approx(25.0)
    assert cards.percentile_of(-1.0, table) == 0.0 and cards.percentile_of(99.0, table) == 100.0
    assert cards.percentile_of(0.3, [0.1 * i for i in range(101)]) == pytest.approx(3.0)
