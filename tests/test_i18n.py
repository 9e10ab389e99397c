"""The translation toolchain: every message translated, placeholders that agree, no message the
code no longer uses, strings marked so that Babel can find them, and numbers and dates in each
language's conventions."""

from __future__ import annotations

import ast
import datetime as dt
import re
import string
import threading
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from core import i18n
from core.i18n import _
from tests.helpers import ROOT

POT = ROOT / "core" / "locales" / "messages.pot"
LANGUAGES = [lang for lang in i18n.LANGUAGES if lang != i18n.DEFAULT]


def _catalogue(path: Path):
    with path.open("rb") as file:
        return read_po(file)


def _placeholders(text: str) -> set[str]:
    return {name for __, name, __, __ in string.Formatter().parse(text) if name is not None}


def _extracted() -> set[str]:
    """The messages in the code now, found the way `pybabel extract -F babel.cfg -k N_` finds
    them (core/README.md, "Languages")."""
    with (ROOT / "babel.cfg").open() as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)
    keywords = {"_": None, "N_": None}
    return {message for __, __, message, *__ in extract_from_dir(
        str(ROOT), method_map, options_map, keywords=keywords) if message}


def _sources() -> list[Path]:
    return [ROOT / "streamlit_app.py", *sorted((ROOT / "pages").rglob("*.py")),
            *sorted((ROOT / "core").rglob("*.py"))]


def test_the_template_holds_exactly_the_messages_in_the_code():
    template = {m.id for m in _catalogue(POT) if m.id}
    code = _extracted()
    assert not code - template, f"not extracted yet (run pybabel extract): {code - template}"
    assert not template - code, f"no longer in the code (run pybabel extract): {template - code}"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_message_has_its_translation(lang):
    catalogue = _catalogue(i18n.LOCALES / lang / "LC_MESSAGES" / f"{i18n.DOMAIN}.po")
    translated = {m.id: m for m in catalogue if m.id}
    untranslated = [m.id for m in _catalogue(POT) if m.id and (
        m.id not in translated or not translated[m.id].string or translated[m.id].fuzzy)]
    assert not untranslated, f"{len(untranslated)} messages without {lang}: {untranslated[:10]}"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_no_message_in_the_catalogue_is_unused(lang):
    catalogue = _catalogue(i18n.LOCALES / lang / "LC_MESSAGES" / f"{i18n.DOMAIN}.po")
    unused = {m.id for m in catalogue if m.id} - _extracted()
    assert not unused, f"{lang} translates messages the code no longer has: {unused}"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_placeholders_agree(lang):
    catalogue = _catalogue(i18n.LOCALES / lang / "LC_MESSAGES" / f"{i18n.DOMAIN}.po")
    for message in catalogue:
        if message.id and message.string:
            assert _placeholders(message.string) == _placeholders(message.id), message.id
            values = dict.fromkeys(_placeholders(message.id), 1)
            message.string.format(**values)  # no stray brace


JA = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff"
# Japanese that one page writes one way and another page another way (core/README.md,
# "Japanese"): what to write instead.
ONE_WORD_FOR_ONE_THING = {
    # ("訓練" alone is the split's name, which "{split}データ" completes)
    r"訓練(?!データ|ファイル|$)|.訓練$": "学習 for training a model; 訓練データ for its data",
    r"検証用": "検証データ",
    r"ピクセル": "画素",
    r"チャネル": "チャンネル",
    rf"(?<=[{JA}）」』`*])\s?: ": "a full-width colon ：after Japanese",
    rf"[0-9][{JA}]|[{JA}][0-9]": "a space between a number and the Japanese beside it",
}


def test_the_japanese_catalogue_writes_one_word_for_one_thing():
    catalogue = _catalogue(i18n.LOCALES / "ja" / "LC_MESSAGES" / f"{i18n.DOMAIN}.po")
    problems = [f"{found.group()!r} ({instead}) in {message.string[:60]!r}"
                for message in catalogue if message.id and message.string
                for pattern, instead in ONE_WORD_FOR_ONE_THING.items()
                for found in [re.search(pattern, message.string)] if found]
    assert not problems, "\n".join(problems)


def test_messages_are_literals_babel_can_find():
    """`_()`/`N_()` take a literal (or, for `_`, a value marked N_ elsewhere), never an f-string,
    a concatenation or a `.format`; a literal `_("…")` inside an f-string is invisible to
    `pybabel extract`; and `_` is never a throw-away name where it translates."""
    problems = []
    for path in _sources():
        tree = ast.parse(path.read_text(), str(path))
        where = path.relative_to(ROOT)
        translates = any(isinstance(node, ast.ImportFrom) and node.module == "core.i18n"
                         and any(a.name == "_" for a in node.names) for node in tree.body)
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) \
                    and node.func.id in ("_", "N_") and node.args:
                first = node.args[0]
                literal = isinstance(first, ast.Constant) and isinstance(first.value, str)
                if isinstance(first, ast.JoinedStr | ast.BinOp) or (
                        isinstance(first, ast.Call) and isinstance(first.func, ast.Attribute)
                        and first.func.attr == "format"):
                    problems.append(f"{where}:{node.lineno}: {node.func.id}() of a built string")
                elif node.func.id == "N_" and not literal:
                    problems.append(f"{where}:{node.lineno}: N_() of a non-literal")
            if isinstance(node, ast.JoinedStr):
                for inner in ast.walk(node):
                    if isinstance(inner, ast.Call) and isinstance(inner.func, ast.Name) \
                            and inner.func.id == "_" and inner.args \
                            and isinstance(inner.args[0], ast.Constant):
                        problems.append(f"{where}:{inner.lineno}: _('…') inside an f-string "
                                        "(pybabel cannot extract it)")
            if translates and isinstance(node, ast.Name) and node.id == "_" \
                    and isinstance(node.ctx, ast.Store):
                problems.append(f"{where}:{node.lineno}: `_` used as a variable")
    assert not problems, "\n".join(problems)


def test_catalogues_are_read_once_per_process():
    i18n.catalogue.cache_clear()
    with i18n.using("ja"):
        for __ in range(100):
            _("Home")
    assert i18n.catalogue.cache_info().misses == 1


def test_translation_follows_the_language_and_fills_placeholders():
    with i18n.using("ja"):
        assert _("Home") == "ホーム"
        understood = _("{n} of {total} terms understood", n=3, total=45)
        assert understood == "45 語のうち 3 語を理解しました"
        assert _("a message nobody translated") == "a message nobody translated"
    with i18n.using("en"):
        assert _("{n} of {total} terms understood", n=3, total=45) == "3 of 45 terms understood"


def test_browser_language_tags():
    assert [i18n.from_locale(tag) for tag in ("ja-JP", "ja", "JA_jp", "en-US", "fr-FR", "", None)
            ] == ["ja", "ja", "ja", "en", "en", "en", "en"]


def test_a_thread_without_a_session_reads_english():
    """A job's worker thread belongs to no student: the app's resolver gives it English."""
    from pages.shell import session_language

    seen = []
    thread = threading.Thread(target=lambda: seen.append(session_language()))
    thread.start()
    thread.join()
    assert seen == ["en"]


def test_numbers_units_and_dates_follow_the_language():
    day = dt.date(2004, 11, 3)
    with i18n.using("en"):
        assert i18n.number(1234.56, 1) == "1,234.6"
        assert i18n.percent(0.853, 1) == "85.3%"
        assert i18n.date(day) == "Nov 3, 2004" and i18n.date(day, "MMMd") == "Nov 3"
        assert i18n.date("2004-11-03") == i18n.date("2004-11-03 18:00:00") == "Nov 3, 2004"
        assert i18n.duration(40) == "40 sec" and i18n.duration(300) == "5 min"
        assert i18n.quantity(1.5, "megabyte") == "1.5 MB"
        assert i18n.listing(["dreams", "training runs"]) == "dreams and training runs"
    with i18n.using("ja"):
        assert i18n.date(day, "long") == "2004年11月3日" and i18n.date(day, "MMMd") == "11月3日"
        assert i18n.date("2004-11-03") == "2004/11/03"
        assert i18n.duration(40) == "40 秒" and i18n.duration(300) == "5 分"
        assert i18n.listing(["ドリーム", "学習"]) == "ドリーム、学習"
