"""Streamlit helpers shared by the pages: data that may be missing, friendly errors."""

from __future__ import annotations

import streamlit as st

from core import data


def locate_or_explain(name: str, what_for: str):
    """The resource's path, downloading it with a progress bar if need be; None, with a clear
    message on the page, when it cannot be had."""
    found = data.availability(name)
    if found.path is not None:
        return found.path
    if found.state == "missing":
        explain_missing(name, what_for)
        return None
    bar = st.progress(0.0, text=f"Downloading {data.RESOURCES[name].title}…")

    def report(done: int, total: int | None) -> None:
        if total:
            bar.progress(min(done / total, 1.0), text=f"Downloading… {done / 1e6:.1f} MB")

    try:
        return data.locate(name, progress=report)
    except data.DataNotFound as err:
        explain_missing(name, what_for, str(err))
        return None
    finally:
        bar.empty()


def explain_missing(name: str, what_for: str, detail: str | None = None) -> None:
    res = data.RESOURCES[name]
    st.info(f"**{res.title}** is not available on this machine, so {what_for} is off.\n\n"
            f"To get it: {data.how_to_get(name)}.", icon=":material/cloud_off:")
    if detail:
        with st.expander("Where we looked"):
            st.code(detail, language=None)
