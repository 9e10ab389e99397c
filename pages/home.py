import streamlit as st

import pages  # noqa: F401 - a shared link to this page runs inside the app
from core.catalog import PAGES, data_status, model_status

st.title("Beyond Sequential")
st.markdown(
    "Keras' `Sequential` stacks layers in a line. Real models branch, share layers, take "
    "several inputs and loop over memories. Each page below is a live, trained model from "
    "the chapter *Additional deep learning models* of *Deep Learning with Keras*: change "
    "its inputs and watch what it does."
)

OK, WARN = ":green[:material/check_circle:]", ":orange[:material/warning:]"
EXTRA = ":grey[:material/add_circle:]"  # optional weights that are not here: nothing is broken
DATA_STATES = {
    "local": (OK, "found locally"),
    "system": (OK, "found in the system package"),
    "cached": (OK, "cached"),
    "download": (":blue[:material/download:]", "not here yet, will be downloaded on first use"),
    "missing": (WARN, "not here, and cannot be downloaded now"),
}


def data_line(name: str, avail, optional: bool = False) -> None:
    icon, words = DATA_STATES[avail.state]
    if avail.reason:
        words += f" ({avail.reason})"
    if optional and avail.state == "missing":
        icon = EXTRA
    label = "optional weights" if optional else "data"
    st.markdown(f"{icon} {label} `{name}`: {words}", help=avail.message)


for page in PAGES:
    with st.container(border=True):
        left, right = st.columns([3, 2])
        with left:
            st.page_link(page.path, label=page.title, icon=page.icon)
            st.markdown(page.teaches)
        with right:
            for name, present in model_status(page):
                st.markdown(f"{OK if present else WARN} model `{name}`"
                            f"{'' if present else ' not shipped'}")
            needed = data_status(page)
            for name, avail in needed:
                data_line(name, avail)
            if page.without_data and any(a.state == "missing" for _, a in needed):
                st.caption(f"Works without it: {page.without_data}.")
            for name, avail in data_status(page, optional=True):
                data_line(name, avail, optional=True)
            if not page.assets and not page.resources:
                st.markdown(f"{OK} builds its models live; needs no data")
