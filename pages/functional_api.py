import streamlit as st

st.title("functional_api")
st.info("This page is being built.")
