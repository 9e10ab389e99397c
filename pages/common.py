"""Streamlit helpers shared by the pages: data that may be missing, friendly errors."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from core import datasets
from core.catalog import PAGES
from core.i18n import _

ROOT = Path(__file__).resolve().parent.parent


def locate_or_explain(name: str, off: str, works: str | None = None):
    """The resource's path, downloading it with a progress bar if need be; None, with a clear
    message on the page (see `explain_missing`), when it cannot be had."""
    found = datasets.availability(name)
    if found.path is not None:
        return found.path
    if found.state == "missing":
        explain_missing(name, off, works=works)
        return None
    bar = st.progress(0.0, text=f"Downloading {datasets.RESOURCES[name].title}…")

    def report(done: int, total: int | None) -> None:
        if total:
            bar.progress(min(done / total, 1.0), text=f"Downloading… {done / 1e6:.1f} MB")

    try:
        return datasets.locate(name, progress=report)
    except datasets.DataNotFound as err:
        explain_missing(name, off, str(err), works=works)
        return None
    finally:
        bar.empty()


def explain_missing(name: str, off: str, detail: str | None = None, *,
                    works: str | None = None) -> None:
    """Say which resource is missing and why, what on the page is `off` because of it, what
    still `works`, and how to get it."""
    res = datasets.RESOURCES[name]
    why = ("could not be downloaded" if detail else
           f"cannot be downloaded now ({datasets.why_not_downloadable(name)})")
    lines = [f"**{res.title}** is not available on this machine and {why}.",
             f"**Off:** {off}."]
    if works:
        lines.append(f"**Still works:** {works}.")
    lines.append(f"**To get it:** {datasets.how_to_get(name)}.")
    st.info("\n\n".join(lines), icon=":material/cloud_off:")
    if detail:
        with st.expander("Where we looked"):
            st.code(detail, language=None)


def reader_asks(question: str, answer: str) -> None:
    """A chapter reader's own question, answered where it arises, next to the live thing that
    answers it. Both strings are the page's own (already translated), never a user's."""
    with st.container(border=True):
        label = _("A reader asks")  # extracted by pybabel: not inside the f-string below
        st.markdown(f":material/help: **{label}** · *{question}*")
        st.markdown(answer)


def link_when_built(path: str, label: str, icon: str | None = None) -> bool:
    """A link to another page of the lab, drawn only once that page's file exists and the
    navigation lists it (a page another issue is still building); whether it was drawn."""
    if not (ROOT / path).is_file() or path not in {page.path for page in PAGES}:
        return False
    st.page_link(path, label=label, icon=icon)
    return True
