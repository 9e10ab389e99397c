"""Bad input met by the shared pieces: argument types, strict JSON, a user's text shown as
text, never as Markdown, and words in any script."""

import argparse
import json
import math
import re

import pytest

from core import args
from core.babi import answering, training
from core.babi.data import tokenize, words
from pages.text import WORD_JOINER, as_text


@pytest.mark.parametrize(("parse", "text", "value"), [
    (args.positive_int, "3", 3), (args.non_negative_int, "0", 0),
    (args.finite_float, "-2.5", -2.5), (args.positive_float, "1e-3", 1e-3),
    (args.non_negative_float, "0", 0.0), (args.int_between(32, 1024), "1024", 1024),
    (args.layer_weight, "mixed3", ("mixed3", 1.0)),
    (args.layer_weight, "fire5_concat:2.5", ("fire5_concat", 2.5)),
])
def test_argument_types_accept_good_values(parse, text, value):
    assert parse(text) == value


@pytest.mark.parametrize(("parse", "text"), [
    (args.positive_int, "0"), (args.positive_int, "1.5"), (args.positive_int, ""),
    (args.non_negative_int, "-1"), (args.finite_float, "nan"), (args.finite_float, "inf"),
    (args.finite_float, "1e999"), (args.positive_float, "0"), (args.non_negative_float, "-0.1"),
    (args.int_between(32, 1024), "31"), (args.layer_weight, "a:"), (args.layer_weight, ":1"),
    (args.layer_weight, "a:-1"),
])
def test_argument_types_refuse_bad_values(parse, text):
    with pytest.raises(argparse.ArgumentTypeError):
        parse(text)


def test_paths_are_checked(tmp_path):
    a_file = tmp_path / "f.txt"
    a_file.write_text("x")
    assert args.input_file(str(a_file)) == a_file
    for bad in (tmp_path, tmp_path / "missing.txt"):
        with pytest.raises(argparse.ArgumentTypeError):
            args.input_file(str(bad))
    assert args.existing_dir(str(tmp_path)) == tmp_path
    new = tmp_path / "a" / "b" / "out.png"
    assert args.output_file(str(new)) == new and not new.parent.exists()  # checked, not made
    args.prepare(new)
    assert new.parent.is_dir()
    for bad in (str(tmp_path), str(a_file / "out.png")):
        with pytest.raises(argparse.ArgumentTypeError):
            args.output_file(bad)
    with pytest.raises(argparse.ArgumentTypeError):
        args.output_dir(str(a_file))


def test_print_json_never_prints_nan(capsys):
    args.print_json({"rmse": 1.5, "r2": math.nan, "runs": [{"loss": math.inf}], "n": None},
                    {"r2": "needs two rows"})
    out, err = capsys.readouterr()
    result = json.loads(out, parse_constant=lambda c: pytest.fail(f"{c} in the JSON"))
    assert result["rmse"] == 1.5 and result["r2"] is None and result["runs"][0]["loss"] is None
    assert result["not_computed"] == {"r2": "needs two rows",
                                      "runs[0].loss": "the result is not a finite number"}
    assert "note: r2 cannot be computed: needs two rows" in err


@pytest.mark.parametrize("text", [
    "![x](http://example.invalid/x.png)", "[click](http://example.invalid)",
    "<img src=x onerror=alert(1)>", "$x^2$", ":red[alarm] :material/home:", "**bold** _it_",
    "# heading", "1. list", "`code`", "a\\b",
])
def test_user_text_is_escaped_for_markdown(text):
    escaped = as_text(text)
    syntax = re.escape("\\`*_{}[]()#+-.!|<>~$:&^=")
    # every syntax character comes escaped by a backslash; nothing else changes
    assert re.fullmatch(f"(?:\\\\[{syntax}]|[^{syntax}])*", escaped), escaped
    assert re.sub(r"\\(.)", r"\1", escaped).replace(WORD_JOINER, "") == text


def test_words_in_any_script_are_kept_and_named_as_typed():
    assert tokenize("Zoë went to the café!") == ("zoë", "went", "to", "the", "café")
    assert tokenize("ジョンはどこ？") == ("ジョンはどこ",)
    assert tokenize("Ｊｏｈｎ went") == ("john", "went")  # NFKC: full-width letters
    assert tokenize("Zoe\u0308") == ("zoë",)  # a combining diaeresis stays in its word
    assert tokenize("नमस्ते दुनिया") == ("नमस्ते", "दुनिया")  # vowel signs are marks
    assert tokenize("🙂 ?!") == ()
    assert words("Zoë WENT") == [("Zoë", "zoë"), ("WENT", "went")]


def test_the_memory_network_reading_points_out_what_it_cannot_use():
    vocab = training.load_shipped(1)[1]
    reading = answering.read("Zoë went to the café\nジョンは台所に行った\n🙂🙂\nJohn went to the "
                          "kitchen", "Where is John?", vocab)
    assert reading.unknown == ["Zoë", "café", "ジョンは台所に行った"]
    assert reading.unread == [1]  # the Japanese statement is kept, and named
    assert any("Statement 2" in note and "no word the model knows" in note
               for note in reading.notes)
    assert any("“🙂🙂” has no words" in note for note in reading.notes)
    assert not reading.problems
    japanese = answering.read("john went to the kitchen", "ジョンはどこ？", vocab)
    assert japanese.problems and "ジョンはどこ" in japanese.problems[0]
    assert "empty" not in japanese.problems[0]
    emoji = answering.read("john went to the kitchen", "🙂❓", vocab)
    assert "has no words, only symbols" in emoji.problems[0]
