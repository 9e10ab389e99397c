"""Every message the GAN and Features pages show has its Japanese, with the same placeholders."""

import string
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_file

from core import i18n
from tests.helpers import ROOT

FILES = [*sorted((ROOT / "core" / "gan").glob("*.py")),
         *sorted((ROOT / "core" / "features").glob("*.py")),
         ROOT / "pages" / "gan.py", ROOT / "pages" / "features.py"]


def messages(path: Path) -> list[str]:
    found = extract_from_file("python", str(path), keywords={"_": None, "N_": None})
    return [message for __, message, __, __ in found]


def fields(text: str) -> set[str]:
    return {name for __, name, __, __ in string.Formatter().parse(text) if name is not None}


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_message_is_translated(path):
    japanese = i18n.catalogue("ja")
    for message in messages(path):
        assert message in japanese, f"no Japanese for {message!r}"
        assert fields(japanese[message]) == fields(message), message


def test_the_pages_have_messages_to_translate():
    assert len(messages(ROOT / "pages" / "gan.py")) > 50
    assert len(messages(ROOT / "pages" / "features.py")) > 20
