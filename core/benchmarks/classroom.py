"""A class at once: N simulated students drive `streamlit run` over Streamlit's own websocket.

Four ways to run it (each prints one JSON object; the exit code is 1 when anything failed):
- a class (default): the teacher tries every page first, then `--sessions` students click
  with `--think` seconds between clicks for `--duration` seconds: latency percentiles per page,
  the server's peak and final memory, and what that memory is made of;
- `--solo REPEATS`: one student, every page: medians of a rerun and a click per page;
- `--cold ROUNDS`: a class that arrives at once on a server that has just started: per round a
  fresh server, and as soon as it answers its health check `--sessions` links to the model
  pages are opened together. Errors are counted on the pages, in the server's log, and on a
  later visit to every page (a server broken for good); each round's first-page times;
- `--soak MINUTES`: a long class: memory over time and the p90 per 5-minute window.

No browser and no network: the server is started on a free 127.0.0.1 port and stopped at the end
(see `student.py` for the protocol, `server.py` for the server).
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import statistics
import tempfile
import time
from pathlib import Path

from core.benchmarks import student as protocol
from core.benchmarks.server import memory_mb, rss_mb, start_server, stop_server
from core.benchmarks.student import Student, open_link

NAVIGATE_P = 0.25  # chance that a click goes to another page rather than a widget
WINDOW_S = 300  # the soak's p90 is taken per 5-minute window


def bench_args(parser) -> None:
    parser.add_argument("--sessions", type=int, default=30, help="simulated students")
    parser.add_argument("--think", type=float, default=5.0,
                        help="mean think time between a student's clicks, seconds")
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of clicking")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--locale", default="en-US",
                        help="the students' browser language (ja-JP: the lab in Japanese)")
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--solo", type=int, metavar="REPEATS", help="instead of a class: one "
                      "student reruns every page REPEATS times and clicks REPEATS widgets on "
                      "it (medians per page, after a first visit warms the page)")
    mode.add_argument("--cold", type=int, metavar="ROUNDS", help="instead of a class: ROUNDS "
                      "fresh servers, each met by --sessions links to the model pages at once")
    mode.add_argument("--soak", type=float, metavar="MINUTES", help="a class of MINUTES "
                      "instead of --duration: memory over time, p90 per 5-minute window")
    parser.add_argument("--url", help="drive an already running server at this 127.0.0.1 "
                        "address (e.g. http://127.0.0.1:8080) instead of starting one")
    parser.add_argument("--server-pids", help="with --url: comma-separated process ids whose "
                        "memory to report (e.g. the Streamlit processes behind a balancer)")


def bench(args) -> int:
    env = dict(os.environ)
    Student.locale = args.locale  # every simulated browser's language
    if args.data_dir:
        env["LAB_DATA_DIR"] = args.data_dir
    if args.cold:
        result = cold(args.cold, args.sessions, env=env)
    else:
        pids = [int(p) for p in args.server_pids.split(",")] if args.server_pids else None
        duration = args.soak * 60 if args.soak else args.duration
        result = run(args.sessions, args.think, duration, seed=args.seed, url=args.url,
                     env=env, solo=args.solo, pids=pids, soak=bool(args.soak))
    print(json.dumps({**result, "locale": args.locale}))
    return 0 if result["errors"] == 0 else 1


def run(sessions: int, think: float, duration: float, *, seed: int = 0, url: str | None = None,
        env: dict | None = None, solo: int | None = None, pids: list[int] | None = None,
        soak: bool = False) -> dict:
    """Start a server (unless `url` is given), drive the class for `duration` s, stop it."""
    def drive(base: str, pids: list[int] | None) -> dict:
        if solo:
            return asyncio.run(_solo(base, solo, seed, pids))
        asyncio.run(_warm_up(base, seed))
        return asyncio.run(_drive(base, sessions, think, duration, seed, pids, soak))

    if url is not None:
        if not url.startswith(("http://127.0.0.1", "http://localhost")):
            raise ValueError("the classroom benchmark only talks to this machine (127.0.0.1)")
        return drive(url, pids)
    server, base = start_server(env)
    try:
        return {**drive(base, [server.pid]), "port": int(base.rsplit(":", 1)[1])}
    finally:
        stop_server(server)


# --- a class that arrives at once on a fresh server -----------------------------------------------

def model_links() -> list[str]:
    """The URL path of every model page (what a shared link to it opens)."""
    from core.catalog import PAGES

    return [Path(page.path).stem for page in PAGES]


def cold(rounds: int, sessions: int, env: dict | None = None) -> dict:
    """`rounds` fresh servers, each met by `sessions` links to the model pages at once."""
    results = []
    for _ in range(rounds):
        with tempfile.TemporaryDirectory() as folder:
            log = Path(folder) / "streamlit.log"
            server, base = start_server(env, log=log)
            try:
                burst = asyncio.run(_burst(base, sessions, model_links()))
                later = asyncio.run(_solo(base, 0, 0, None))  # every page again, afterwards
            finally:
                stop_server(server)
            tracebacks = log.read_text(errors="replace").count("Traceback (most recent call")
        errors = [e for visit in burst for e in visit["errors"]]
        times = [visit["seconds"] for visit in burst if visit["seconds"] is not None]
        results.append({
            "errors": len(errors), "later_errors": later["errors"], "log_tracebacks": tracebacks,
            "first_page_p50_s": _quantile(times, 0.5), "first_page_p90_s": _quantile(times, 0.9),
            "first_page_max_s": _round(max(times, default=None)),
            "without_app_menu": sum(not visit["in_app"] for visit in burst),
            "first_errors": (errors + later["first_errors"])[:5]})
    return {"cold": rounds, "sessions": sessions,
            "errors": sum(r["errors"] + r["later_errors"] + r["log_tracebacks"] for r in results),
            "broken_servers": sum(r["later_errors"] > 0 for r in results), "rounds": results}


async def _burst(url: str, sessions: int, links: list[str]) -> list[dict]:
    """`sessions` browsers open a link each (round robin over `links`) at the same moment."""
    async def one(i: int) -> dict:
        link = links[i % len(links)]
        start = time.perf_counter()
        try:
            student = await open_link(url, link, seed=i)
            return {"link": link, "seconds": time.perf_counter() - start,
                    "errors": student.errors, "in_app": student.in_app}
        except TimeoutError:
            error = f"{link}: no answer within {protocol.FIRST_VISIT_TIMEOUT_S} s"
        except Exception as err:  # a dropped connection or a protocol error
            error = f"{link}: {type(err).__name__}: {err}"
        return {"link": link, "seconds": None, "errors": [error], "in_app": False}

    return await asyncio.gather(*(one(i) for i in range(sessions)))


# --- a class --------------------------------------------------------------------------------------

async def _student(url: str, student: Student, think: float, until: float, record) -> None:
    import websockets

    rng = student.rng
    ws_url = url.replace("http://", "ws://") + "/_stcore/stream"
    async with websockets.connect(ws_url, subprotocols=["streamlit"], max_size=None,
                                  open_timeout=30, ping_interval=None) as ws:
        student.ws, student.page_name, student.doing = ws, "home", "opening the app"
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
                 server_pids: list[int] | None, soak: bool = False) -> dict:
    samples: list[tuple[float, str, str, float]] = []  # (finished at, page, kind, seconds)
    errors: list[str] = []
    memory: list[tuple[float, float | None]] = []  # (at, server RSS MB)
    began = time.perf_counter()

    def record(student: Student, kind: str, seconds: float) -> None:
        samples.append((time.perf_counter() - began, student.page_name, kind, seconds))
        errors.extend(student.errors)
        student.errors.clear()

    async def watch_memory() -> None:
        while server_pids:
            memory.append((time.perf_counter() - began, rss_mb(server_pids)))
            await asyncio.sleep(1)

    async def one(i: int) -> None:
        rng = random.Random(seed * 1000 + i)
        await asyncio.sleep(rng.uniform(0, min(think, duration / 4)))  # students arrive
        student = Student(None, rng)
        try:
            await _student(url, student, think, until, record)
        except TimeoutError:
            errors.append(f"student {i}: no answer within {protocol.INTERACTION_TIMEOUT_S} s "
                          f"on {student.page_name}, {student.doing}")
        except Exception as err:  # a dropped connection or a protocol error
            errors.append(f"student {i}: {type(err).__name__}: {err}")

    until = began + duration
    watcher = asyncio.create_task(watch_memory())
    await asyncio.gather(*(one(i) for i in range(sessions)))
    watcher.cancel()
    rss = [mb for _, mb in memory if mb is not None]
    result = summarize([s[1:] for s in samples], errors, sessions, max(rss, default=None))
    result["server_rss_end_mb"] = rss_mb(server_pids)
    if server_pids and len(server_pids) == 1:
        result["server_memory_end_mb"] = memory_mb(server_pids[0])
    if soak:
        result["soak"] = soak_summary(samples, memory, duration)
    return result


def soak_summary(samples: list[tuple[float, str, str, float]],
                 memory: list[tuple[float, float | None]], duration: float) -> dict:
    """Per 5-minute window: clicks, p90, errors-free RSS at its end; and the growth of RSS
    over the second half of the run (its last sample against the one at half time)."""
    windows = []
    for start in range(0, max(1, int(duration)), WINDOW_S):
        clicks = [s for at, _, kind, s in samples
                  if start <= at < start + WINDOW_S and kind != "poll"]
        rss = [mb for at, mb in memory if start <= at < start + WINDOW_S and mb is not None]
        windows.append({"from_min": start / 60, "clicks": len(clicks),
                        "p90_s": _quantile(clicks, 0.9), "rss_end_mb": rss[-1] if rss else None})
    rss = [(at, mb) for at, mb in memory if mb is not None]
    half = next((mb for at, mb in rss if at >= duration / 2), None)
    growth = (rss[-1][1] - half) / half if rss and half else None
    return {"windows": windows, "rss_half_mb": half, "rss_last_mb": rss[-1][1] if rss else None,
            "second_half_growth": None if growth is None else round(growth, 4),
            "rss_per_minute_mb": [next(mb for at, mb in rss if at >= minute * 60)
                                  for minute in range(int(rss[-1][0] // 60) + 1)] if rss else []}


# --- the teacher, or one student alone ------------------------------------------------------------

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
