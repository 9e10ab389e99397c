"""`python -m core concepts`: the chapter's map as one JSON line, in both languages."""

from __future__ import annotations

import argparse
import json


def concepts(args: argparse.Namespace) -> int:
    from core.concepts.view import as_json

    print(json.dumps(as_json(), ensure_ascii=False, separators=(",", ":")))
    return 0
