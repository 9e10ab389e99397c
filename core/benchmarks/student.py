"""One simulated student: a browser's session over Streamlit's own websocket protocol.

The student opens a session the way the browser does (a `BackMsg.rerun_script` with its widget
states, or with `page_name` for a link opened directly), reads the `ForwardMsg` deltas to learn
which widgets the page shows, then clicks: sliders, toggles, buttons (Dream and Train among
them), form submits. A widget inside an `st.fragment` reruns only its fragment, as in the
browser, and fragments that poll (`run_every`) are polled. The time from sending a click to the
server's `script_finished` is that click's latency.
"""

from __future__ import annotations

import asyncio
import random
import time
from dataclasses import dataclass, field
from typing import ClassVar

INTERACTION_TIMEOUT_S = 60  # a click that answers later than this counts as an error
FIRST_VISIT_TIMEOUT_S = 180  # the first visit to a server that has just started (Keras loads)
SKIPPED = {"file_uploader", "download_button", "text_input", "text_area", "multiselect",
           "chat_input", "camera_input", "audio_input"}  # widgets a simulated student leaves
SIDEBAR = 1  # the root container of the sidebar in a delta's path (0: the main area)


@dataclass
class Widget:
    kind: str
    proto: object
    fragment_id: str
    form_id: str


@dataclass
class Student:
    ws: object
    rng: random.Random
    pages: list = field(default_factory=list)  # AppPage protos
    page_hash: str = ""
    page_name: str = ""
    widgets: dict = field(default_factory=dict)  # id -> Widget, as the page last showed them
    states: dict = field(default_factory=dict)  # id -> WidgetState, the values we hold
    polls: dict = field(default_factory=dict)  # fragment id -> interval (run_every)
    errors: list = field(default_factory=list)
    doing: str = ""  # the last thing sent, for an error message
    locale: ClassVar[str] = "en-US"  # the browser's language (`--locale`)

    @property
    def in_app(self) -> bool:
        """Whether the page came inside the app: st.navigation's menu has sections, the menu
        that Streamlit makes from the `pages/` folder for a page file run alone has none."""
        return any(page.section_header for page in self.pages)

    async def rerun(self, *, trigger=None, fragment_id: str = "", auto: bool = False,
                    link: str = "", timeout_s: float = INTERACTION_TIMEOUT_S) -> float:
        """Send one rerun (a click), wait for `script_finished`; the seconds it took. `link`: the
        page's URL path, as a browser sends it when a link to that page is its first visit."""
        from streamlit.proto.BackMsg_pb2 import BackMsg

        msg = BackMsg()
        state = msg.rerun_script
        state.page_script_hash = self.page_hash
        state.page_name = link
        state.fragment_id = fragment_id
        state.is_auto_rerun = auto
        state.context_info.timezone = "UTC"
        state.context_info.locale = self.locale
        widgets = list(self.states.values()) + ([trigger] if trigger is not None else [])
        state.widget_states.widgets.extend(widgets)
        if not fragment_id:
            self.widgets, self.polls = {}, {}
        start = time.perf_counter()
        await self.ws.send(msg.SerializeToString())
        await asyncio.wait_for(self._until_finished(), timeout_s)
        return time.perf_counter() - start

    async def _until_finished(self) -> None:
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        while True:
            msg = ForwardMsg()
            msg.ParseFromString(await self.ws.recv())
            kind = msg.WhichOneof("type")
            if kind == "new_session":
                self.pages = list(msg.new_session.app_pages)
                self.page_hash = msg.new_session.page_script_hash
            elif kind == "delta" and msg.metadata.delta_path[:1] != [SIDEBAR]:
                self._read_delta(msg.delta)  # the page's widgets: the sidebar is the app's frame
            elif kind == "auto_rerun":
                self.polls[msg.auto_rerun.fragment_id] = msg.auto_rerun.interval
            elif kind == "navigation":  # st.navigation: the app's pages, the one shown
                self.pages = list(msg.navigation.app_pages)
                self.page_hash = msg.navigation.page_script_hash
                # A whole run, even when a fragment asked for it (`st.rerun()` in a fragment):
                # it draws every widget again, and the fragments it does not draw are gone
                # (Streamlit ignores a request for one of those, and never answers it).
                self.widgets, self.polls = {}, {}
            elif kind == "script_finished":
                if msg.script_finished == ForwardMsg.FINISHED_WITH_COMPILE_ERROR:
                    self.errors.append(f"{self.page_name}: script error")
                if msg.script_finished != ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                    return

    def _read_delta(self, delta) -> None:
        if delta.WhichOneof("type") != "new_element":
            return
        element = delta.new_element
        kind = element.WhichOneof("type")
        if kind == "exception":
            self.errors.append(f"{self.page_name}: {element.exception.type}: "
                               f"{element.exception.message[:120]}")
        proto = getattr(element, kind) if kind else None
        if proto is None or kind in SKIPPED or not getattr(proto, "id", ""):
            return
        if getattr(proto, "disabled", False):
            return
        self.widgets[proto.id] = Widget(kind, proto, delta.fragment_id,
                                        getattr(proto, "form_id", ""))

    async def visit(self, page) -> float:
        self.page_hash, self.page_name = page.page_script_hash, page.url_pathname or "home"
        self.states, self.doing = {}, "opening the page"
        return await self.rerun()

    async def click(self) -> tuple[str, float] | None:
        """Change one widget the page shows; None when there is nothing to click."""
        choices = [w for w in self.widgets.values()
                   if not w.form_id or getattr(w.proto, "is_form_submitter", False)]
        if not choices:
            return None
        widget = self.rng.choice(choices)
        state = self._new_state(widget)
        if state is None:
            return None
        trigger = None
        if widget.kind == "button":
            trigger = state
        else:
            self.states[widget.proto.id] = state
        label = getattr(widget.proto, "label", "")
        self.doing = f"{widget.kind} {label!r}" + (" in a fragment" if widget.fragment_id else "")
        return widget.kind, await self.rerun(trigger=trigger, fragment_id=widget.fragment_id)

    def _new_state(self, widget: Widget):
        from streamlit.proto.WidgetStates_pb2 import WidgetState

        p, rng = widget.proto, self.rng
        state = WidgetState(id=p.id)
        if widget.kind == "button":
            state.trigger_value = True
        elif widget.kind == "checkbox":
            old = self.states.get(p.id)
            state.bool_value = not (old.bool_value if old is not None else p.default)
        elif widget.kind in ("selectbox", "radio") and p.options:
            state.string_value = rng.choice(list(p.options))
        elif widget.kind == "button_group" and p.options:
            state.string_array_value.data.append(rng.choice(p.options).content)
        elif widget.kind == "slider":
            count = max(1, len(p.default))
            if p.type == 2 and p.options:  # select_slider: formatted option labels
                picks = sorted(rng.sample(range(len(p.options)), min(count, len(p.options))))
                state.string_array_value.data.extend(p.options[i] for i in picks)
            elif p.data_type in (0, 1) and p.max > p.min:
                steps = int((p.max - p.min) / (p.step or 1))
                values = sorted(p.min + rng.randint(0, steps) * (p.step or 1)
                                for _ in range(count))
                state.double_array_value.data.extend(values)
            else:
                return None
        elif widget.kind == "number_input":
            low = p.min if p.has_min else p.default - 10 * (p.step or 1)
            high = p.max if p.has_max else p.default + 10 * (p.step or 1)
            value = rng.uniform(low, high)
            state.double_value = round(value) if p.data_type == 0 else value
        else:
            return None
        return state

    async def poll_while_thinking(self, seconds: float, log) -> None:
        """Think for `seconds`; fragments that poll (run_every) rerun meanwhile, as in a browser."""
        end = time.perf_counter() + seconds
        while self.polls and time.perf_counter() < end:
            fragment, interval = next(iter(self.polls.items()))
            await asyncio.sleep(min(interval, max(0.0, end - time.perf_counter())))
            if time.perf_counter() >= end:
                return
            self.polls.pop(fragment, None)
            self.doing = "polling a fragment"
            log("poll", await self.rerun(fragment_id=fragment, auto=True))
        await asyncio.sleep(max(0.0, end - time.perf_counter()))



async def open_link(url: str, link: str = "", seed: int = 0,
                    timeout_s: float = FIRST_VISIT_TIMEOUT_S) -> Student:
    """A browser opening `url`/`link` (Home when empty) for the first time: one new session,
    one script run; the student afterwards holds its errors and what the page showed."""
    import websockets

    student = Student(None, random.Random(seed), page_name=link or "home")
    async with websockets.connect(url.replace("http://", "ws://") + "/_stcore/stream",
                                  subprotocols=["streamlit"], max_size=None, open_timeout=30,
                                  ping_interval=None) as ws:
        student.ws = ws
        await student.rerun(link=link, timeout_s=timeout_s)
    return student
