import streamlit as st

st.title("customizing_keras")
st.info("This page is being built.")
