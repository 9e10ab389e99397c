"""Heavy work through the server's one shared queue (core.jobs), as a student sees it: their
place in line and the wait, a progress bar, a button to leave or stop, then the result.

core.jobs never translates (its work runs in threads that belong to no student): everything
here is worded in the student's language from the job's data. `what` is the page's own words,
already translated (e.g. ``_("Your dream")``)."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from core import i18n, jobs
from core.i18n import N_, _

# How often a job's panel refreshes itself (only the panel reruns): often enough for a progress
# bar while it runs, less often while it waits, so that a long line costs the server little.
RUNNING_POLL_S, WAITING_POLL_S = 1.0, 3.0
# The kinds of work the queue runs, as a student reads them ("waiting for dreams").
KINDS = {"dream": N_("dreams"), "training": N_("training runs"), "style": N_("style transfers"),
         "features": N_("feature images")}


def submit(state_key: str, kind: str, work: Callable[[jobs.Job], object],
           key: str | None = None) -> None:
    """Queue `work` for this student in place of any job of theirs still pending under
    `state_key`, then rerun the page so that it shows the line. A full server says so."""
    old = st.session_state.get(state_key)
    if old is not None and not old.finished:
        if key is not None and old.key == key:
            st.rerun()  # already waiting for exactly this
        old.cancel()
    try:
        st.session_state[state_key] = jobs.shared_queue().submit(kind, work, key=key)
    except jobs.QueueFull as err:
        st.session_state[f"{state_key}_full"] = (err.waiting, err.kinds, err.wait_s)
    st.rerun()


def follow(state_key: str, what: str, preview: Callable[[object], None] | None = None):
    """The student's finished job under `state_key` (None while there is none); while it waits
    or runs, a small panel that refreshes itself shows where it stands."""
    full = st.session_state.pop(f"{state_key}_full", None)
    if full:
        waiting, kinds, wait_s = full
        st.warning(_("The server is full: {n} students are already waiting for {what}. Please "
                     "try again in about {wait}.", n=waiting, wait=i18n.duration(wait_s),
                     what=i18n.listing([_(KINDS.get(k, k)) for k in kinds]) if kinds
                     else _("their turn")), icon=":material/hourglass_disabled:")
    if st.session_state.pop(f"{state_key}_left", False):
        st.info(_("{what} was stopped before it finished. Anything finished earlier is kept.",
                  what=what), icon=":material/stop_circle:")
    job = st.session_state.get(state_key)
    if job is None or job.finished:
        return job
    if job.position():
        _waiting(state_key, what)
    else:
        _running(state_key, what, preview)
    return None


@st.fragment(run_every=WAITING_POLL_S)
def _waiting(state_key: str, what: str) -> None:
    job = st.session_state.get(state_key)
    position = 0 if job is None or job.finished else job.position()
    if not position:
        st.rerun()  # its turn came (or it ended): the whole page shows the next stage
    wait = i18n.duration(job.estimated_wait_s())
    if position == 1:
        st.info(_("**{what}** waits its turn: the server runs one at a time for the whole "
                  "class, and yours is the next one to start (about {wait}). You can keep "
                  "using the page meanwhile.", what=what, wait=wait),
                icon=":material/hourglass_top:")
    else:
        st.info(_("**{what}** waits its turn: the server runs one at a time for the whole "
                  "class, and yours is number {position} in line (about {wait}). You can keep "
                  "using the page meanwhile.", what=what, position=position, wait=wait),
                icon=":material/hourglass_top:")
    st.button(_("Leave the line"), key=f"{state_key}_leave", on_click=_leave,
              args=(state_key,), icon=":material/logout:")


@st.fragment(run_every=RUNNING_POLL_S)
def _running(state_key: str, what: str, preview) -> None:
    job = st.session_state.get(state_key)
    if job is None or job.finished:
        st.rerun()  # the whole page, which now shows the result
    words = _(job.message, **job.message_values) if job.message else _("{what}…", what=what)
    st.progress(job.progress, text=words)
    if preview is not None and job.preview is not None:
        preview(job.preview)
    st.button(_("Stop"), key=f"{state_key}_stop", on_click=_leave, args=(state_key,),
              icon=":material/stop_circle:")


def _leave(state_key: str) -> None:
    """Leave the line or stop: a job shared with other students runs on for them."""
    job = st.session_state.pop(state_key, None)
    if job is not None:
        job.cancel()
        st.session_state[f"{state_key}_left"] = True
