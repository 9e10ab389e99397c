import streamlit as st

from core.catalog import PAGES, data_status, model_status

st.title("Beyond Sequential")
st.markdown(
    "Keras' `Sequential` stacks layers in a line. Real models branch, share layers, take "
    "several inputs and loop over memories. Each page below is a live, trained model from "
    "the chapter *Additional deep learning models* of *Deep Learning with Keras*: change "
    "its inputs and watch what it does."
)

STATE_ICONS = {"local": "✅", "system": "✅", "cached": "✅", "download": "⬇️", "missing": "⚠️"}

for page in PAGES:
    with st.container(border=True):
        left, right = st.columns([3, 2])
        with left:
            st.page_link(page.path, label=page.title, icon=page.icon)
            st.markdown(page.teaches)
        with right:
            for name, present in model_status(page):
                st.markdown(f"{'✅' if present else '⚠️'} model `{name}`"
                            f"{'' if present else ' not shipped yet'}")
            for name, avail in data_status(page):
                st.markdown(f"{STATE_ICONS[avail.state]} data `{name}`: {avail.state}",
                            help=avail.message)
            if not page.assets and not page.resources:
                st.markdown("✅ builds its models live; needs no data")
