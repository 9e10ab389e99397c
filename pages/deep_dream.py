import streamlit as st

st.title("deep_dream")
st.info("This page is being built.")
