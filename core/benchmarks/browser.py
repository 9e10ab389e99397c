"""In a real browser: cold start to Home, and click → settled on a few pages (headless Chromium).

A click is settled when the server's `script_finished` message for it has arrived over the
websocket and the browser has painted twice since. Needs Playwright and Debian's chromium
(`pip install -r requirements-dev.txt`, `apt-get install chromium`).
"""

from __future__ import annotations

import json
import os
import statistics
import time

from core.benchmarks import classroom

CHROMIUM = "/usr/bin/chromium"
PAINTED = "new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))"
CLICKS = {  # page title in the sidebar -> (what is clicked, how)
    "Regression": ("first input slider, one step", "slider", 0),
    "Memory network": ("the chapter's story button", "button", "The chapter's story"),
    "Autoencoders": ("the noise slider, one step", "slider", "Noise level"),
    "Functional API vs Sequential": ("hidden layers slider, one step", "slider", "Hidden layers"),
}


def bench_args(parser) -> None:
    parser.add_argument("--repeats", type=int, default=5, help="clicks per page (median)")


def bench(args) -> int:
    env = dict(os.environ)
    if args.data_dir:
        env["LAB_DATA_DIR"] = args.data_dir
    print(json.dumps(measure(args.repeats, env)))
    return 0


def measure(repeats: int, env: dict | None = None) -> dict:
    from playwright.sync_api import sync_playwright
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    started = time.perf_counter()
    server, url = classroom.start_server(env)
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM,
                                         args=["--headless", "--no-sandbox", "--disable-gpu"])
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            finished: list[float] = []

            def on_frame(payload) -> None:
                if isinstance(payload, bytes):
                    msg = ForwardMsg()
                    msg.ParseFromString(payload)
                    if msg.WhichOneof("type") == "script_finished":
                        finished.append(time.perf_counter())

            page.on("websocket", lambda ws: ws.on("framereceived", on_frame))
            page.goto(url)
            page.wait_for_selector("h1", timeout=120_000)
            cold = time.perf_counter() - started
            result = {"cold_start_to_home_s": round(cold, 2), "click_to_settled_s": {}}
            for title, (what, kind, which) in CLICKS.items():
                page.locator('[data-testid="stSidebarNav"]').get_by_text(title, exact=True).click()
                _settle(page, finished)
                times = []
                for i in range(repeats):
                    target = _target(page, kind, which)
                    finished.clear()
                    start = time.perf_counter()
                    if kind == "slider":
                        target.press("ArrowRight" if i % 2 == 0 else "ArrowLeft")
                    else:
                        target.click()
                    while not finished and time.perf_counter() - start < 60:
                        page.wait_for_timeout(5)
                    page.evaluate(PAINTED)
                    times.append(time.perf_counter() - start)
                    _settle(page, finished)
                result["click_to_settled_s"][title] = {"what": what,
                                                       "median": round(statistics.median(times),
                                                                       3)}
            browser.close()
    finally:
        classroom.stop_server(server)
    return result


def _target(page, kind: str, which):
    if kind == "button":
        return page.get_by_role("button", name=which)
    sliders = page.locator('[data-testid="stSlider"]')
    chosen = sliders.nth(which) if isinstance(which, int) else sliders.filter(has_text=which)
    slider = chosen.first.get_by_role("slider")
    slider.focus()
    return slider


def _settle(page, finished: list, quiet_s: float = 1.0) -> None:
    """Wait until no script run has finished for `quiet_s` (the page and its polls are done)."""
    deadline = time.perf_counter() + 60
    while time.perf_counter() < deadline:
        seen = len(finished)
        page.wait_for_timeout(quiet_s * 1000)
        if len(finished) == seen and not page.locator('[data-testid="stStatusWidget"]').count():
            return
