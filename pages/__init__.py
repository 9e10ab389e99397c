"""The app's pages. Streamlit runs them through `streamlit_app.py`'s `st.navigation`.

A folder named `pages/` also switches on Streamlit's older multipage mode, which lasts until
some session runs `st.navigation`: until then a shared link to a page (the first visit after a
restart) would run the page file alone, without the app's menu, sidebar and serving set-up.
Every page imports this package, so the first such run ends that mode and starts over inside
the app.
"""

from streamlit.runtime.pages_manager import PagesManager
from streamlit.runtime.scriptrunner import get_script_run_ctx

if PagesManager.uses_pages_directory:
    PagesManager.uses_pages_directory = False
    if get_script_run_ctx() is not None:
        import streamlit as st

        st.rerun()
