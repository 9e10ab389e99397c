"""Streamlit helpers shared by the pages: data that may be missing, friendly errors, the
reader's questions and the way back to the chapter's map."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from core import datasets, i18n
from core.catalog import PAGES
from core.concepts.terms import terms_of
from core.i18n import _

ROOT = Path(__file__).resolve().parent.parent
HOME = "pages/home.py"  # where the chapter's map is


def locate_or_explain(name: str, off: str, works: str | None = None):
    """The resource's path, downloading it with a progress bar if need be; None, with a clear
    message on the page (see `explain_missing`), when it cannot be had."""
    found = datasets.availability(name)
    if found.path is not None:
        return found.path
    if found.state == "missing":
        explain_missing(name, off, works=works)
        return None
    bar = st.progress(0.0, text=_("Downloading {what}…", what=_(datasets.RESOURCES[name].title)))

    def report(done: int, total: int | None) -> None:
        if total:
            bar.progress(min(done / total, 1.0), text=_(
                "Downloading… {size}", size=i18n.quantity(done / 1e6, "megabyte")))

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
    title = _(datasets.RESOURCES[name].title)
    lines = [_("**{title}** is not available on this machine and could not be downloaded.",
               title=title) if detail else
             _("**{title}** is not available on this machine and cannot be downloaded now "
               "({reason}).", title=title, reason=datasets.why_not_downloadable(name)),
             _("**Off:** {what}.", what=off)]
    if works:
        lines.append(_("**Still works:** {what}.", what=works))
    lines.append(_("**To get it:** {how}.", how=datasets.how_to_get(name)))
    st.info("\n\n".join(lines), icon=":material/cloud_off:")
    if detail:
        with st.expander(_("Where we looked")):
            st.code(detail, language=None)


def reader_asks(question: str, answer: str) -> None:
    """A chapter reader's own question, answered where it arises, next to the live thing that
    answers it. Both strings are the page's own (already translated), never a user's."""
    with st.container(border=True):
        asks = _("A reader asks")
        st.markdown(f":material/help: **{asks}** · *{question}*")
        st.markdown(answer)


def map_terms(page: str) -> None:
    """The chapter's terms that are live on this page (its URL path, e.g. "regression"), each
    a link back to its place on Home's map. Call it at the end of the page."""
    terms = terms_of(page)
    if not terms:
        return
    with st.container(border=True, key=f"map_terms_{page}"):
        title = _("This page on the chapter’s map")
        st.markdown(f":material/hub: **{title}**")
        with st.container(horizontal=True, gap="small"):
            for term in terms:
                st.page_link(HOME, label=_(term.name), query_params={"term": term.id},
                             help=_(term.definition))


def link_when_built(path: str, label: str, icon: str | None = None) -> bool:
    """A link to another page of the lab, drawn only once that page's file exists and the
    navigation lists it (a page another issue is still building); whether it was drawn."""
    if not (ROOT / path).is_file() or path not in {page.path for page in PAGES}:
        return False
    st.page_link(path, label=label, icon=icon)
    return True
