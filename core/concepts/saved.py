"""A student's map as a file they keep and load again: which terms they have understood.

What comes back is user input: it is read strictly (size, JSON, exactly these keys, known term
ids, no duplicates) and refused with a message that says what is wrong, before anything of the
student's current map changes.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Collection

from core.concepts.terms import BY_ID, TERMS
from core.i18n import _

FORMAT = "beyond-sequential/concept-map"
VERSION = 1
MAX_BYTES = 64 * 1024  # a full map is about 1 KB


class BadMapFile(ValueError):
    """The uploaded file is not a map this lab saved; the message says why, for a student."""


def dump(understood: Collection[str], saved: dt.date) -> bytes:
    """The file a student downloads: the format, when, and the ids of the terms understood (in
    the map's order)."""
    ids = [t.id for t in TERMS if t.id in understood]
    return json.dumps({"format": FORMAT, "version": VERSION, "saved": saved.isoformat(),
                       "understood": ids}, ensure_ascii=False, indent=1).encode()


def load(data: bytes) -> list[str]:
    """The term ids understood in a file made by `dump`; raises BadMapFile otherwise."""
    if len(data) > MAX_BYTES:
        raise BadMapFile(_("The file is {size} KB; a saved map is at most {limit} KB.",
                           size=len(data) // 1024, limit=MAX_BYTES // 1024))
    try:
        doc = json.loads(data.decode("utf-8"), object_pairs_hook=_no_duplicate_keys,
                         parse_constant=_no_constant)
    except (UnicodeDecodeError, json.JSONDecodeError, BadMapFile):
        raise BadMapFile(_("This is not a map saved by this lab: it is not valid JSON.")) from None
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise BadMapFile(_("This is not a map saved by this lab (its \"format\" is not "
                           "\"{format}\").", format=FORMAT))
    if type(doc.get("version")) is not int or doc["version"] != VERSION:  # not True, not 1.0
        raise BadMapFile(_("This map file has version {found}; this lab reads version "
                           "{version}.", found=_short(doc.get("version")), version=VERSION))
    extra = sorted(set(doc) - {"format", "version", "saved", "understood"})
    if extra:
        raise BadMapFile(_("The file has fields a saved map does not have: {fields}.",
                           fields=", ".join(_short(key) for key in extra)))
    if not _is_date(doc.get("saved")):
        raise BadMapFile(_("\"saved\" must be a date such as 2026-04-01."))
    ids = doc.get("understood")
    if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
        raise BadMapFile(_("\"understood\" must be a list of term ids."))
    unknown = [i for i in ids if i not in BY_ID]
    if unknown:
        raise BadMapFile(_("Unknown terms in the file: {ids}.",
                           ids=", ".join(_short(i) for i in unknown[:5])))
    if len(set(ids)) != len(ids):
        raise BadMapFile(_("A term is listed twice in \"understood\"."))
    return ids


def _no_duplicate_keys(pairs: list[tuple[str, object]]) -> dict:
    keys = [key for key, __ in pairs]
    if len(set(keys)) != len(keys):
        raise BadMapFile("duplicate key")
    return dict(pairs)


def _no_constant(name: str) -> None:
    raise BadMapFile(name)  # NaN, Infinity: not JSON


def _is_date(value: object) -> bool:
    try:
        return isinstance(value, str) and len(value) == 10 and bool(dt.date.fromisoformat(value))
    except ValueError:
        return False


def _short(value: object) -> str:
    """A value from the file, quoted and cut short, to name it in a message."""
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 40 else text[:37] + "…"
