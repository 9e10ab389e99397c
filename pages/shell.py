"""The frame around every page: which language a student reads, and a jump to a page's section.

The language: the browser's (`st.context.locale`: ja* is Japanese) until the student picks one
with the sidebar switch; `?lang=ja` / `?lang=en` in the URL picks it too, and the switch keeps
the URL in step, so that any address a teacher copies opens in the same language. The switch is
a widget drawn on every run with a key, so its value lasts across pages; widgets keep their
state when the language changes because pages give them keys (a key, not the label, is then
a widget's identity).
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
    if LANGUAGE_KEY not in st.session_state and LANGUAGE_KEY not in st.query_params:
        st.session_state[LANGUAGE_KEY] = i18n.from_locale(st.context.locale)  # the browser's
    # Its label is in both languages: whoever cannot read the current one still finds it.
    st.sidebar.segmented_control(
        "言語 · Language", i18n.LANGUAGES, format_func=i18n.NAMES.get, required=True,
        key=LANGUAGE_KEY, bind="query-params", width="stretch")
    return i18n.language()


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
