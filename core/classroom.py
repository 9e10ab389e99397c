"""A class at once: N simulated students drive `streamlit run` over Streamlit's own websocket.

Each student opens a session the way the browser does (a `BackMsg.rerun_script` with its widget
states), reads the `ForwardMsg` deltas to learn which widgets the page shows, then clicks: it
visits pages, moves sliders, flips toggles, presses buttons (Dream and Train among them) and
submits forms, with a random think time between clicks. A widget inside an `st.fragment` reruns
only its fragment, as in the browser, and fragments that poll (`run_every`) are polled. The
time from sending a click to the server's `script_finished` is that click's latency.

No browser and no network: the server is started on a free 127.0.0.1 port and stopped at the end.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar

ROOT = Path(__file__).resolve().parents[1]
INTERACTION_TIMEOUT_S = 60  # a click that answers later than this counts as an error
NAVIGATE_P = 0.25  # chance that a click goes to another page rather than a widget
SIDEBAR = 1  # the root container of the sidebar in a delta's path (0: the main area)
SKIPPED = {"file_uploader", "download_button", "text_input", "text_area", "multiselect",
           "chat_input", "camera_input", "audio_input"}  # widgets a simulated student leaves


def bench_args(parser) -> None:
    parser.add_argument("--sessions", type=int, default=30, help="simulated students")
    parser.add_argument("--think", type=float, default=5.0,
                        help="mean think time between a student's clicks, seconds")
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of clicking")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--locale", default="en-US",
                        help="the students' browser language (ja-JP: the lab in Japanese)")
    parser.add_argument("--solo", type=int, metavar="REPEATS", help="instead of a class: one "
                        "student reruns every page REPEATS times and clicks REPEATS widgets on "
                        "it (medians per page, after a first visit warms the page)")
    parser.add_argument("--url", help="drive an already running server at this 127.0.0.1 "
                        "address (e.g. http://127.0.0.1:8080) instead of starting one")
    parser.add_argument("--server-pids", help="with --url: comma-separated process ids whose "
                        "memory to report (e.g. the Streamlit processes behind a balancer)")


def bench(args) -> int:
    env = dict(os.environ)
    if args.data_dir:
        env["LAB_DATA_DIR"] = args.data_dir
    pids = [int(p) for p in args.server_pids.split(",")] if args.server_pids else None
    result = run(args.sessions, args.think, args.duration, seed=args.seed, url=args.url, env=env,
                 solo=args.solo, pids=pids, locale=args.locale)
    print(json.dumps(result))
    return 0 if result["errors"] == 0 else 1


def run(sessions: int, think: float, duration: float, *, seed: int = 0, url: str | None = None,
        env: dict | None = None, solo: int | None = None, pids: list[int] | None = None,
        locale: str = "en-US") -> dict:
    """Start a server (unless `url` is given), drive the class for `duration` s, stop it."""
    Student.locale = locale  # every simulated browser's language

    def drive(base: str, pids: list[int] | None) -> dict:
        if solo:
            return {**asyncio.run(_solo(base, solo, seed, pids)), "locale": locale}
        asyncio.run(_warm_up(base, seed))
        return {**asyncio.run(_drive(base, sessions, think, duration, seed, server_pids=pids)),
                "locale": locale}

    if url is not None:
        if not url.startswith(("http://127.0.0.1", "http://localhost")):
            raise ValueError("the classroom benchmark only talks to this machine (127.0.0.1)")
        return drive(url, pids)
    server, base = start_server(env)
    try:
        return {**drive(base, [server.pid]), "port": int(base.rsplit(":", 1)[1])}
    finally:
        stop_server(server)


def start_server(env: dict | None = None, timeout_s: float = 120) -> tuple[subprocess.Popen, str]:
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "streamlit_app.py",
         "--server.address", "127.0.0.1", "--server.port", str(port),
         "--server.headless", "true", "--browser.gatherUsageStats", "false"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"streamlit exited with code {server.returncode}")
        try:
            with urllib.request.urlopen(f"{base}/_stcore/health", timeout=2) as answer:
                if answer.status == 200:
                    return server, base
        except OSError:
            time.sleep(0.3)
    stop_server(server)
    raise RuntimeError(f"streamlit did not answer within {timeout_s:.0f} s")


def stop_server(server: subprocess.Popen) -> None:
    server.terminate()
    try:
        server.wait(timeout=15)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rss_mb(pids: list[int] | None) -> float | None:
    """Resident memory of processes and their children, from /proc (Linux)."""
    total, found = 0, False
    for p in [q for pid in pids or [] for q in (pid, *_children(pid))]:
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
                    found = True
        except OSError:
            continue
    return round(total / 1024, 1) if found else None


def _children(pid: int) -> list[int]:
    try:
        kids = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return []
    return [int(k) for k in kids] + [g for k in kids for g in _children(int(k))]


# --- one simulated student ---------------------------------------------------------------------

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
    locale: ClassVar[str] = "en-US"  # the browser's language (`--locale`)

    async def rerun(self, *, trigger=None, fragment_id: str = "", auto: bool = False) -> float:
        """Send one rerun (a click), wait for `script_finished`; the seconds it took."""
        from streamlit.proto.BackMsg_pb2 import BackMsg

        msg = BackMsg()
        state = msg.rerun_script
        state.page_script_hash = self.page_hash
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
        await asyncio.wait_for(self._until_finished(), INTERACTION_TIMEOUT_S)
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
        self.states = {}
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
            log("poll", await self.rerun(fragment_id=fragment, auto=True))
        await asyncio.sleep(max(0.0, end - time.perf_counter()))


async def _student(url: str, rng: random.Random, think: float, until: float, record) -> None:
    import websockets

    ws_url = url.replace("http://", "ws://") + "/_stcore/stream"
    async with websockets.connect(ws_url, subprotocols=["streamlit"], max_size=None,
                                  open_timeout=30, ping_interval=None) as ws:
        student = Student(ws, rng)
        student.page_name = "home"
        record(student, "load", await student.rerun())
        pages = [p for p in student.pages if not p.is_hidden and not p.external_url]
        while time.perf_counter() < until:
            await student.poll_while_thinking(rng.expovariate(1 / think) if think else 0,
                                              lambda kind, s: record(student, kind, s))
            if time.perf_counter() >= until:
                break
            clicked = None
            if rng.random() >= NAVIGATE_P:
                clicked = await student.click()
            if clicked is None:
                record(student, "load", await student.visit(rng.choice(pages)))
            else:
                record(student, clicked[0], clicked[1])


async def _drive(url: str, sessions: int, think: float, duration: float, seed: int,
                 server_pids: list[int] | None) -> dict:
    samples: list[tuple[str, str, float]] = []  # (page, kind, seconds)
    errors: list[str] = []
    peak_rss = [rss_mb(server_pids)]

    def record(student: Student, kind: str, seconds: float) -> None:
        samples.append((student.page_name, kind, seconds))
        errors.extend(student.errors)
        student.errors.clear()

    async def watch_memory() -> None:
        while server_pids:
            peak_rss[0] = max(peak_rss[0] or 0, rss_mb(server_pids) or 0)
            await asyncio.sleep(1)

    async def one(i: int) -> None:
        rng = random.Random(seed * 1000 + i)
        await asyncio.sleep(rng.uniform(0, min(think, duration / 4)))  # students arrive
        try:
            await _student(url, rng, think, until, record)
        except TimeoutError:
            errors.append(f"student {i}: no answer within {INTERACTION_TIMEOUT_S} s")
        except Exception as err:  # a dropped connection or a protocol error
            errors.append(f"student {i}: {type(err).__name__}: {err}")

    until = time.perf_counter() + duration
    watcher = asyncio.create_task(watch_memory())
    await asyncio.gather(*(one(i) for i in range(sessions)))
    watcher.cancel()
    return summarize(samples, errors, sessions, peak_rss[0])


async def _warm_up(url: str, seed: int, visitors: int = 4) -> None:
    """The teacher tried every page before class: a few visitors at once, so that each process
    behind a load balancer gets its share of warm-up too."""
    await asyncio.gather(*(_solo(url, 0, seed + i, None) for i in range(visitors)))


async def _solo(url: str, repeats: int, seed: int, server_pids: list[int] | None) -> dict:
    """One student alone: per page, the median full rerun and the median widget click."""
    import websockets

    per_page = {}
    async with websockets.connect(url.replace("http://", "ws://") + "/_stcore/stream",
                                  subprotocols=["streamlit"], max_size=None,
                                  ping_interval=None) as ws:
        student = Student(ws, random.Random(seed))
        await student.rerun()
        for page in [p for p in student.pages if not p.is_hidden and not p.external_url]:
            first = await student.visit(page)
            if not repeats:
                continue
            reruns = [await student.rerun() for _ in range(repeats)]
            clicks = []
            for _ in range(repeats * 3):
                if len(clicks) == repeats:
                    break
                clicked = await student.click()
                if clicked is not None and clicked[0] != "button":  # buttons start jobs
                    clicks.append(clicked[1])
            per_page[student.page_name] = {
                "first_load_s": _round(first), "rerun_s": _quantile(reruns, 0.5),
                "click_s": _quantile(clicks, 0.5), "clicks": len(clicks)}
    return {"solo": True, "repeats": repeats, "per_page": per_page, "errors": len(student.errors),
            "first_errors": student.errors[:5],
            "server_rss_mb": rss_mb(server_pids)}


def summarize(samples: list[tuple[str, str, float]], errors: list[str], sessions: int,
              server_rss_mb: float | None) -> dict:
    clicks = [s for _, kind, s in samples if kind != "poll"]
    per_page: dict[str, dict] = {}
    for page in sorted({p for p, _, _ in samples}):
        loads = [s for p, k, s in samples if p == page and k == "load"]
        widgets = [s for p, k, s in samples if p == page and k not in ("load", "poll")]
        polls = [s for p, k, s in samples if p == page and k == "poll"]
        per_page[page] = {"loads": len(loads), "load_p50_s": _quantile(loads, 0.5),
                          "clicks": len(widgets), "click_p50_s": _quantile(widgets, 0.5),
                          "click_p90_s": _quantile(widgets, 0.9),
                          "max_s": _round(max(loads + widgets, default=None)),
                          "polls": len(polls), "poll_p50_s": _quantile(polls, 0.5)}
    return {"sessions": sessions, "interactions": len(clicks),
            "p50_s": _quantile(clicks, 0.5), "p90_s": _quantile(clicks, 0.9),
            "max_s": _round(max(clicks, default=None)), "errors": len(errors),
            "server_rss_mb": server_rss_mb, "per_page": per_page,
            "first_errors": errors[:5]}


def _quantile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    if len(values) == 1:
        return _round(values[0])
    return _round(statistics.quantiles(values, n=100, method="inclusive")[round(q * 100) - 1])


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 3)
