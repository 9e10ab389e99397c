"""In a real browser: cold start to Home, click → settled on a few pages, and the first visits
to a freshly started server (headless Chromium).

A click is settled when the server's `script_finished` message for it has arrived over the
websocket and the browser has painted twice since. Needs Playwright and Debian's chromium
(`pip install -r requirements-dev.txt`, `apt-get install chromium`).
"""

from __future__ import annotations

import json
import os
import statistics
import time
from pathlib import Path

from core.benchmarks.server import start_server, stop_server

CHROMIUM = "/usr/bin/chromium"
PAINTED = "new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))"
CLICKS = {  # page title in the sidebar -> (what is clicked, how)
    "Regression": ("first input slider, one step", "slider", 0),
    "Memory network": ("the chapter's story button", "button", "The chapter's story"),
    "Autoencoders": ("the noise slider, one step", "slider", "Noise level"),
    "Functional API vs Sequential": ("hidden layers slider, one step", "slider", "Hidden layers"),
}
FIRST_VISITS = ("pages/functional_api.py", "pages/regression.py")  # timed on a fresh server
READ_HOME_S = 8.0  # how long the student reads Home before the first model page


def bench_args(parser) -> None:
    parser.add_argument("--repeats", type=int, default=5, help="clicks per page (median)")


def bench(args) -> int:
    env = dict(os.environ)
    if args.data_dir:
        env["LAB_DATA_DIR"] = args.data_dir
    print(json.dumps({**measure(args.repeats, env), "fresh_server": first_visits(env)}))
    return 0


class _Tab:
    """One Chromium tab on the app that hears every `script_finished` the server sends."""

    def __init__(self, browser) -> None:
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        self.page = browser.new_page(viewport={"width": 1280, "height": 900})
        self.finished: list[float] = []  # when each script run that was not cut short ended

        def on_frame(payload) -> None:
            if isinstance(payload, bytes):
                msg = ForwardMsg()
                msg.ParseFromString(payload)
                if (msg.WhichOneof("type") == "script_finished"
                        and msg.script_finished != ForwardMsg.FINISHED_EARLY_FOR_RERUN):
                    self.finished.append(time.perf_counter())

        self.page.on("websocket", lambda ws: ws.on("framereceived", on_frame))

    def timed(self, action) -> float:
        """Seconds from `action()` to its script run's end, painted."""
        self.finished.clear()
        start = time.perf_counter()
        action()
        while not self.finished and time.perf_counter() - start < 120:
            self.page.wait_for_timeout(5)
        self.page.evaluate(PAINTED)
        return time.perf_counter() - start

    def settle(self, quiet_s: float = 1.0) -> None:
        """Wait until no script run has finished for `quiet_s` (the page and its polls are
        done)."""
        deadline = time.perf_counter() + 60
        while time.perf_counter() < deadline:
            seen = len(self.finished)
            self.page.wait_for_timeout(quiet_s * 1000)
            if (len(self.finished) == seen
                    and not self.page.locator('[data-testid="stStatusWidget"]').count()):
                return

    def open_in_menu(self, title: str) -> None:
        self.page.locator('[data-testid="stSidebarNav"]').get_by_text(title, exact=True).click()


def _chromium(pw):
    return pw.chromium.launch(executable_path=CHROMIUM,
                              args=["--headless", "--no-sandbox", "--disable-gpu"])


def measure(repeats: int, env: dict | None = None) -> dict:
    from playwright.sync_api import sync_playwright

    started = time.perf_counter()
    server, url = start_server(env)
    try:
        with sync_playwright() as pw:
            browser = _chromium(pw)
            tab = _Tab(browser)
            tab.page.goto(url)
            tab.page.wait_for_selector("h1", timeout=120_000)
            cold = time.perf_counter() - started
            result = {"cold_start_to_home_s": round(cold, 2), "click_to_settled_s": {}}
            for title, (what, kind, which) in CLICKS.items():
                tab.open_in_menu(title)
                tab.settle()
                times = []
                for i in range(repeats):
                    target = _target(tab.page, kind, which)
                    if kind == "slider":
                        key = "ArrowRight" if i % 2 == 0 else "ArrowLeft"
                        times.append(tab.timed(lambda t=target, k=key: t.press(k)))
                    else:
                        times.append(tab.timed(target.click))
                    tab.settle()
                result["click_to_settled_s"][title] = {"what": what,
                                                       "median": round(statistics.median(times),
                                                                       3)}
            browser.close()
    finally:
        stop_server(server)
    return result


def first_visits(env: dict | None = None) -> dict:
    """On a server that has just started (one per figure): a student reads Home for
    READ_HOME_S, then opens a model page from the menu (click → settled); and a link to a model
    page opened directly, as the server's first visit (navigation → settled)."""
    from playwright.sync_api import sync_playwright

    from core.catalog import PAGES

    titles = {page.path: page.title for page in PAGES}
    result: dict[str, dict] = {"after_reading_home_s": {}, "direct_link_s": {}}
    with sync_playwright() as pw:
        browser = _chromium(pw)
        for path in FIRST_VISITS:
            for figure in result:
                server, url = start_server(env)
                try:
                    tab = _Tab(browser)
                    result[figure][titles[path]] = round(
                        _first_visit(tab, url, path, titles[path], figure), 3)
                    tab.page.close()
                finally:
                    stop_server(server)
        browser.close()
    return result


def _first_visit(tab: _Tab, url: str, path: str, title: str, figure: str) -> float:
    if figure == "direct_link_s":
        return tab.timed(lambda: tab.page.goto(f"{url}/{Path(path).stem}"))
    tab.timed(lambda: tab.page.goto(url))
    tab.page.wait_for_timeout(READ_HOME_S * 1000)
    return tab.timed(lambda: tab.open_in_menu(title))


def _target(page, kind: str, which):
    if kind == "button":
        return page.get_by_role("button", name=which)
    sliders = page.locator('[data-testid="stSlider"]')
    chosen = sliders.nth(which) if isinstance(which, int) else sliders.filter(has_text=which)
    slider = chosen.first.get_by_role("slider")
    slider.focus()
    return slider
