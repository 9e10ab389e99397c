"""The app's pages. Streamlit runs them through `streamlit_app.py`'s `st.navigation`.

Why this file sets a private Streamlit flag (checked with Streamlit 1.67, which has no supported
switch for it): a folder named `pages/` beside the entry file turns on Streamlit's older
multipage mode (`PagesManager.uses_pages_directory`), which lasts, as Streamlit documents, until
some session runs `st.navigation`. Until then a link to a page (the first visits after a restart)
runs the page file alone: without the app's start-up, sidebar and menu, under a menu that lists
every file of this folder. The layout keeps `pages/`, and a server cannot run a session of its
own before its first student arrives. So the first page file that runs alone (every page imports
this package) ends that mode for every session and starts over inside the app. Page files that
were already running alone by then finish alone, correctly; their next rerun is in the app.
tests/test_pages_mode.py pins the Streamlit versions this is known to work with and checks the
behaviour it relies on.
"""

from streamlit.runtime.pages_manager import PagesManager
from streamlit.runtime.scriptrunner import get_script_run_ctx

from core import serving

serving.start()  # a page file may be the first script this process runs (see above)
if PagesManager.uses_pages_directory:
    PagesManager.uses_pages_directory = False
    if get_script_run_ctx() is not None:
        import streamlit as st

        st.rerun()
