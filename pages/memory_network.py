import streamlit as st

st.title("memory_network")
st.info("This page is being built.")
