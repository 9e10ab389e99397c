import streamlit as st

st.title("autoencoders")
st.info("This page is being built.")
