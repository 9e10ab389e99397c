import datetime as dt
import functools

import streamlit as st

import pages  # noqa: F401 - a shared link to this page runs inside the app
from core.catalog import PAGES, data_status, model_status
from core.concepts import saved, view
from core.concepts.terms import BY_ID, TERMS
from core.i18n import N_, _
from pages import shell
from pages.common import reader_asks
from pages.text import as_text

st.title("Beyond Sequential")
st.markdown(_(
    "Keras' `Sequential` stacks layers in a line. Real models branch, share layers, take "
    "several inputs and loop over memories. Each page below is a live, trained model from "
    "the chapter *Additional deep learning models* of *Deep Learning with Keras*: change "
    "its inputs and watch what it does."))

OK, WARN = ":green[:material/check_circle:]", ":orange[:material/warning:]"
EXTRA = ":grey[:material/add_circle:]"  # optional weights that are not here: nothing is broken
DATA_STATES = {
    "local": (OK, N_("found locally")),
    "system": (OK, N_("found in the system package")),
    "cached": (OK, N_("cached")),
    "download": (":blue[:material/download:]",
                 N_("not here yet, will be downloaded on first use")),
    "missing": (WARN, N_("not here, and cannot be downloaded now")),
}
UNDERSTOOD = "map_understood"  # the terms this student has understood (a widget's key)
CLICK_MODE = "map_click"
PAGE_OF = {p.url_path: p for p in PAGES}


# --- The chapter's map -------------------------------------------------------------------------

def page_title(url_path: str) -> str | None:
    page = PAGE_OF.get(url_path)
    return _(page.title) if page else None


def on_map_click(key: str) -> None:
    """A term was clicked: open its section, or mark it understood (or not), as chosen."""
    points = st.session_state[key].selection.get(view.SELECTION) or []
    term = BY_ID.get(points[0].get("id")) if points else None
    if term is None:
        return
    st.session_state["map_clicks"] = st.session_state.get("map_clicks", 0) + 1  # a fresh map
    if st.session_state.get(CLICK_MODE) == "mark":
        done = st.session_state.get(UNDERSTOOD, [])
        st.session_state[UNDERSTOOD] = ([i for i in done if i != term.id] if term.id in done
                                        else [t.id for t in TERMS if t.id in {*done, term.id}])
    else:
        st.session_state["map_open"] = term.id


def open_term(term_id: str) -> None:
    term = BY_ID[term_id]
    shell.open_section(PAGE_OF[term.page].path, term.section)


def load_saved_map() -> None:
    upload = st.session_state.get("map_upload")
    if upload is None:
        return
    try:
        st.session_state[UNDERSTOOD] = saved.load(upload.getvalue())
        st.session_state["map_loaded"] = upload.name
    except saved.BadMapFile as err:
        st.session_state["map_error"] = str(err)


def focus_card(term_id: str) -> None:
    """The term a page's link asked for (`?term=`): its names and meaning, and its section."""
    term = BY_ID[term_id]
    with st.container(border=True):
        st.markdown(f"**{_(term.name)}** ({view.other_name(term)}) · {as_text(_(term.definition))}")
        if term.page in PAGE_OF:
            st.button(_("Open its section on “{page}”", page=page_title(term.page)),
                      icon=":material/arrow_forward:", key="map_focus_open",
                      on_click=ask_to_open, args=(term.id,))


def ask_to_open(term_id: str) -> None:
    st.session_state["map_open"] = term_id


def chapter_map() -> None:
    st.header(_("The chapter’s map"), anchor="map")
    st.markdown(_(
        "The chapter’s terms come one after another and are easy to lose. Here they are on one "
        "map: each dot is a term, each line says how two terms relate, and the colour tells "
        "the page where the term is live. Point at a dot for its meaning."))
    reader_asks(
        _("The terms of this chapter come scattered; how can I keep them together?"),
        _("Mark the terms you have understood and watch your map fill in, then download it: "
          "the picture (SVG) for your notes, and a file (JSON) that loads your map again "
          "next time."))
    if opened := st.session_state.pop("map_open", None):
        open_term(opened)
    focus = st.query_params.get("term")
    if focus in BY_ID:
        focus_card(focus)
    left, right = st.columns([3, 2], vertical_alignment="bottom")
    left.segmented_control(
        _("A click on a term"), ("open", "mark"), required=True, default="open",
        format_func={"open": _("opens its section"), "mark": _("marks it understood")}.get,
        key=CLICK_MODE, persist_state="session")
    labels = right.toggle(_("Show how terms relate"), value=True, key="map_edge_labels",
                          persist_state="session")
    done = st.session_state.get(UNDERSTOOD, [])
    key = f"map_chart_{st.session_state.get('map_clicks', 0)}"
    st.vega_lite_chart(spec=view.chart(done, focus if focus in BY_ID else None, labels),
                       key=key, on_select=functools.partial(on_map_click, key),
                       selection_mode=view.SELECTION, width="stretch")
    st.progress(len(done) / len(TERMS), text=_("{n} of {total} terms understood", n=len(done),
                                               total=len(TERMS)))
    st.multiselect(_("Terms you have understood"), [t.id for t in TERMS],
                   format_func=lambda i: _(BY_ID[i].name), key=UNDERSTOOD,
                   persist_state="session", placeholder=_("Choose terms, or click them on the map"))
    my_map(done)
    with st.expander(_("Every term, its meaning and its page"), icon=":material/list:"):
        st.dataframe(view.glossary({p.url_path: _(p.title) for p in PAGES}), hide_index=True,
                     width="stretch")


def my_map(done: list[str]) -> None:
    """Download the map (picture and file) and load a saved file again."""
    if error := st.session_state.pop("map_error", None):
        st.error(_("Your map was not loaded, and nothing changed: {reason}",
                   reason=as_text(error)), icon=":material/error:")
    if name := st.session_state.pop("map_loaded", None):
        st.success(_("Loaded your map from {file}.", file=as_text(name)),
                   icon=":material/check_circle:")
    today = dt.date.today()
    svg_col, json_col, load_col = st.columns(3, vertical_alignment="bottom")
    svg_col.download_button(_("Download the picture (SVG)"), view.svg(done),
                            file_name=f"chapter-map-{today}.svg", mime="image/svg+xml",
                            icon=":material/image:", on_click="ignore", width="stretch")
    json_col.download_button(_("Download your map (JSON)"), saved.dump(done, today),
                             file_name=f"chapter-map-{today}.json", mime="application/json",
                             icon=":material/download:", on_click="ignore", width="stretch")
    load_col.file_uploader(_("Load a saved map (JSON)"), type=["json"], key="map_upload",
                           on_change=load_saved_map, max_upload_size=1)


# --- The pages and what they need --------------------------------------------------------------

def data_line(name: str, avail, optional: bool = False) -> None:
    icon, words = DATA_STATES[avail.state]
    words = _(words)
    if avail.reason:
        words = _("{state} ({reason})", state=words, reason=avail.reason)
    if optional and avail.state == "missing":
        icon = EXTRA
    if optional:
        line = _("optional weights `{name}`: {state}", name=name, state=words)
    else:
        line = _("data `{name}`: {state}", name=name, state=words)
    st.markdown(f"{icon} {line}", help=avail.message)


def page_list() -> None:
    st.header(_("The pages"), anchor="pages")
    for page in PAGES:
        with st.container(border=True):
            left, right = st.columns([3, 2])
            with left:
                st.page_link(page.path, label=_(page.title), icon=page.icon)
                st.markdown(_(page.teaches))
            with right:
                page_status(page)


def page_status(page) -> None:
    for name, present in model_status(page):
        line = (_("model `{name}`", name=name) if present
                else _("model `{name}` not shipped", name=name))
        st.markdown(f"{OK if present else WARN} {line}")
    needed = data_status(page)
    for name, avail in needed:
        data_line(name, avail)
    if page.without_data and any(a.state == "missing" for __, a in needed):
        st.caption(_("Works without it: {what}.", what=_(page.without_data)))
    for name, avail in data_status(page, optional=True):
        data_line(name, avail, optional=True)
    if not page.assets and not page.resources:
        st.markdown(f"{OK} " + _("builds its models live; needs no data"))


chapter_map()
page_list()
