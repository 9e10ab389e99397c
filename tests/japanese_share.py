"""How much of each page a Japanese student reads is Japanese: every page of core.catalog.PAGES
opened in AppTest through the app's shell with `?lang=ja`, and the share of Japanese characters
among the letters it shows outside code (tests.helpers.japanese_share). Rerun it when pages
land or change:

    python -m tests.japanese_share            # as this machine has the data (LAB_DATA_DIR)
    LAB_DATA_DIR= python -m tests.japanese_share      # as a fresh clone sees it

Prints a Markdown table, then the same figures as one JSON line.
"""

from __future__ import annotations

import json

import pytest

from core.catalog import PAGES
from tests.helpers import app_in_shell, japanese_share, letters, open_page, shown_texts


def shares() -> dict[str, dict]:
    """url path -> {"share": Japanese among the letters, "letters": letters counted}."""
    found = {}
    for page in PAGES:
        with pytest.MonkeyPatch.context() as patch:
            at = open_page(app_in_shell(patch, "ja"), page.path)
        texts = shown_texts(at.main)
        found[page.url_path] = {"share": round(japanese_share(texts), 3),
                                "letters": len(letters(texts))}
    return found


def main() -> None:
    found = shares()
    print("| page | Japanese share | letters |\n|---|---:|---:|")
    for path, row in found.items():
        print(f"| {path} | {row['share']:.0%} | {row['letters']:,} |")
    print(json.dumps(found))


if __name__ == "__main__":
    main()
