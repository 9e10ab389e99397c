"""The frame around every page: which language a student reads, and a jump to a page's section.

The language: `?lang=ja` / `?lang=en` in the address a session starts from, else the
browser's (`st.context.locale`: ja* is Japanese); the sidebar switch changes it at any time.
The address then always carries the choice (`?lang=…` on every page), so that any link a teacher
copies opens in the same language. The switch is a widget drawn on every run with a key, so its
value lasts across pages; widgets keep their state when the language changes because pages give
them keys (a key, not the label, is then a widget's identity).

Streamlit's own `bind="query-params"` would write the option's label (日本語) into the address,
not its code, hence the two lines that keep `?lang=` in step by hand.
"""

from __future__ import annotations

import streamlit as st
import streamlit.components.v2 as components
from streamlit.runtime.scriptrunner import get_script_run_ctx

from core import i18n

LANGUAGE_KEY = "lang"  # the switch's session-state key, and its query parameter
_JUMP_KEY = "jump_to_section"


def session_language() -> str:
    """core.i18n's resolver: the language this session reads. Outside a script run (a job's
    worker thread, a thread of the server) there is no session: English, which such code
    should never need (it returns data; the page translates)."""
    if get_script_run_ctx(suppress_warning=True) is None:
        return i18n.DEFAULT
    chosen = st.session_state.get(LANGUAGE_KEY)
    return chosen if chosen in i18n.LANGUAGES else i18n.from_locale(st.context.locale)


def choose_language() -> str:
    """Register the resolver and draw the sidebar switch; the language of this run."""
    i18n.set_resolver(session_language)
    if LANGUAGE_KEY not in st.session_state:  # a new session: the address, else the browser
        asked = st.query_params.get(LANGUAGE_KEY)
        st.session_state[LANGUAGE_KEY] = (asked if asked in i18n.LANGUAGES
                                          else i18n.from_locale(st.context.locale))
    # Its label is in both languages: whoever cannot read the current one still finds it.
    lang = st.sidebar.segmented_control(
        "言語 · Language", i18n.LANGUAGES, format_func=i18n.NAMES.get, required=True,
        key=LANGUAGE_KEY, width="stretch", on_change=_keep_widget_values)
    if st.query_params.get(LANGUAGE_KEY) != lang:  # the address says it too, on every page
        st.query_params[LANGUAGE_KEY] = lang
    return lang


def _keep_widget_values() -> None:
    """Before the first run in the new language: write every plain value in session state
    back as it is. A select box, radio, multiselect or segmented control remembers the label
    the browser shows ("Decoder"), which the new language changes ("デコーダ"), and would fall
    back to its default; a value written through session state is drawn with the new label
    instead. Buttons, uploads and chart selections (whose values cannot be written) are not
    plain values, and a plain value written back to itself changes nothing else."""
    for key in list(st.session_state.keys()):
        value = st.session_state[key]
        if key != LANGUAGE_KEY and _plain(value):
            st.session_state[key] = value


def _plain(value: object) -> bool:
    if isinstance(value, str | int | float) and not isinstance(value, bool):
        return True
    return isinstance(value, list | tuple) and all(map(_plain, value))


def open_section(page: str, anchor: str) -> None:
    """Go to the page at `page` (a file in the navigation) and scroll to its header `anchor`,
    inside this session: the language, the student's map and every widget stay as they are."""
    st.session_state[_JUMP_KEY] = anchor
    st.switch_page(page)


_scroller = None


def scroll_to_pending_section() -> None:
    """After a page ran: scroll to the section `open_section` asked for (once)."""
    global _scroller
    anchor = st.session_state.pop(_JUMP_KEY, None)
    if anchor is None:
        return
    if _scroller is None:  # registered once per process
        _scroller = components.component("beyond_sequential.scroll_to", js=_SCROLL_JS)
    _scroller(data={"anchor": anchor}, key=f"scroll-{anchor}")


# Headers render as they arrive: look for the anchor for a few seconds, then scroll to it and
# put it in the address bar (so that a copied address opens there too).
_SCROLL_JS = """
export default function (component) {
  const anchor = component.data && component.data.anchor;
  if (!anchor) return;
  let tries = 0;
  const look = () => {
    const target = document.getElementById(anchor);
    if (target) {
      target.scrollIntoView({block: "start"});
      history.replaceState(history.state, "", "#" + encodeURIComponent(anchor));
    } else if (tries++ < 50) {
      setTimeout(look, 100);
    }
  };
  look();
}
"""
