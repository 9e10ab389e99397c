"""Beyond Sequential: an interactive lab for the Keras models past `Sequential`."""

import streamlit as st

from core import serving
from core.catalog import PAGES
from core.i18n import _
from pages import shell

serving.start()  # on the process's first script: Keras' import begins, in the background
st.set_page_config(page_title="Beyond Sequential", page_icon=":material/hub:", layout="wide")
shell.choose_language()  # first: every title below is in the student's language

home = st.Page("pages/home.py", title=_("Home"), icon=":material/home:", default=True)
groups: dict[str, list] = {"": [home]}
for p in PAGES:  # the navigation's sections, in the catalogue's order
    groups.setdefault(_(p.group), []).append(st.Page(p.path, title=_(p.title), icon=p.icon))
page = st.navigation(groups)

with st.sidebar.expander(_("About"), icon=":material/info:"):
    st.markdown(_(
        "**Beyond Sequential** is a hands-on lab for the chapter *Additional deep learning "
        "models* of *Deep Learning with Keras* (Gulli & Pal): every page runs a real model "
        "that this project trained on real data.\n\n"
        "**Data**: UCI Air Quality (De Vito et al. 2008, CC BY 4.0) · Facebook bAbI v1.2 "
        "(CC BY 3.0) · MNIST (LeCun, Cortes & Burges) · Fashion-MNIST (Zalando, MIT) · "
        "SqueezeNet v1.1 ImageNet weights (keras-squeezenet, MIT; SqueezeNet, BSD-2)."))

if page.url_path and not serving.ready():  # Home needs no Keras; the others do
    with st.spinner(_("Starting Keras…")):
        serving.wait()
page.run()
shell.scroll_to_pending_section()
