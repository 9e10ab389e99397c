import streamlit as st

from core.catalog import PAGES, data_status, model_status

st.title("Beyond Sequential")
st.markdown(
    "Keras' `Sequential` stacks layers in a line. Real models branch, share layers, take "
    "several inputs and loop over memories. Each page below is a live, trained model from "
    "the chapter *Additional deep learning models* of *Deep Learning with Keras*: change "
    "its inputs and watch what it does."
)

OK, WARN = ":green[:material/check_circle:]", ":orange[:material/warning:]"
DATA_STATES = {
    "local": (OK, "found locally"),
    "system": (OK, "found in the system package"),
    "cached": (OK, "cached"),
    "download": (":blue[:material/download:]", "will be downloaded on first use"),
    "missing": (WARN, "missing"),
}

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
            for name, avail in data_status(page):
                icon, words = DATA_STATES[avail.state]
                st.markdown(f"{icon} data `{name}`: {words}", help=avail.message)
            if not page.assets and not page.resources:
                st.markdown(f"{OK} builds its models live; needs no data")
