"""The Memory network, Autoencoders and Sequence autoencoders pages in Japanese: every message
of the pages and of their topics' core has a translation with the same placeholders, and core
says its messages in the reader's language. (Every page rendering in both languages:
tests/test_app_pages_languages.py.)"""

import string
from pathlib import Path

import numpy as np
from babel.messages.extract import extract_from_file

from core import i18n
from core.autoencoder import view as autoencoder_view
from core.babi import answering, training
from core.sequence_autoencoder import scoring
from tests.helpers import ROOT

PAGES = ("pages/memory_network.py", "pages/autoencoders.py", "pages/sequence_autoencoders.py")
SOURCES = [*PAGES, *(str(p.relative_to(ROOT)) for topic in ("babi", "autoencoder",
                                                            "sequence_autoencoder")
                     for p in sorted((ROOT / "core" / topic).glob("*.py")))]


def messages() -> dict[str, str]:
    """Every string marked for translation in these files: message -> the file it is in."""
    found = {}
    for source in SOURCES:
        for _line, message, _comments, _context in extract_from_file(
                "python", ROOT / source, keywords={"_": None, "N_": None}):
            found.setdefault(message, source)
    return found


def fields(text: str) -> list[str]:
    return sorted(f"{name}:{spec}" for _literal, name, spec, _conversion
                  in string.Formatter().parse(text) if name is not None)


def test_every_message_has_a_japanese_translation_with_the_same_placeholders():
    japanese = i18n.catalogue("ja")
    found = messages()
    assert len(found) > 300
    untranslated = [m for m in found if not japanese.get(m)]
    assert not untranslated, untranslated[:5]
    for message in found:
        assert fields(japanese[message]) == fields(message), message


def test_core_says_its_messages_in_the_readers_language():
    vocab = training.load_shipped(1)[1]
    note = scoring.note("public holiday ({holiday}): little traffic",
                        holiday=scoring.HOLIDAYS["2004-12-25"])
    with i18n.using("ja"):
        assert answering.read("", "where is john", vocab).problems == [
            "物語が空です。1 行に 1 文で、少なくとも 1 文を書いてください。"]
        assert scoring.note_text(note) == "祝日（クリスマス）：交通量が少ない"
        assert autoencoder_view.model_name("latent2d") == "畳み込み、2 個の数値の符号"
        assert autoencoder_view.above_the_line({"digits": np.array([1.0])}, 0.5) == \
            "数字：線より **上**"
    assert scoring.note_text(note) == "public holiday (Christmas Day): little traffic"


def test_the_extraction_covers_these_files():
    assert all((ROOT / source).is_file() for source in SOURCES)
    assert Path(messages()["Autoencoders: squeeze, then rebuild"]).name == "autoencoders.py"
