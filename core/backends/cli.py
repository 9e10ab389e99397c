"""The same Keras code on every installed backend: agreement and speed, one worker per backend."""

from __future__ import annotations

import argparse
import statistics
import sys
import time

from core.args import positive_int, print_json

BACKEND_NAMES = ("tensorflow", "jax", "numpy", "torch")
DEMOS = (("distance", {"seed": 0}), ("lrn", {"seed": 0}), ("book_lines", {"seed": 0}),
         ("dream_step", {}))


def evaluate_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--backends", nargs="+", choices=BACKEND_NAMES, default=None,
                        help="which backends (default: all, or $LAB_BACKENDS)")
    parser.add_argument("--models", nargs="+", metavar="NAME", default=None,
                        help="shipped models under assets/ (default: every one), e.g. "
                             "air_quality/all.keras")


def evaluate(args: argparse.Namespace) -> int:
    """Every demo case and every shipped model on a fixed batch, on each backend; the last
    line is {"backends": {name: {"ok", "seconds", …}}, "max_abs_diff", …}."""
    from core.backends import cases, view
    from core.backends.pool import INSTALL, Pool

    shipped = cases.shipped_models()
    unknown = sorted(set(args.models or ()) - set(shipped))
    if unknown:
        print(f"error: not shipped models: {', '.join(unknown)} (known: {', '.join(shipped)})",
              file=sys.stderr)
        return 2
    requests = [*DEMOS, *(("model", {"name": name}) for name in args.models or shipped)]
    pool = Pool(tuple(args.backends) if args.backends else None)
    seconds = dict.fromkeys(pool.workers, 0.0)
    failed: dict[str, list[str]] = {b: [] for b in pool.workers}
    skipped: dict[str, list[str]] = {b: [] for b in pool.workers}
    worst = {"max_abs_diff": 0.0, "max_scaled_diff": 0.0, "case": None}
    try:
        for case, case_args in requests:
            label = case_args.get("name", case)
            answers = pool.run(case, case_args)
            for backend, answer in answers.items():
                if answer.ok:
                    seconds[backend] += answer.seconds
                elif answer.unsupported:
                    skipped[backend].append(label)
                else:
                    failed[backend].append(f"{label}: {view.note(answer)}")
            diff, scaled = view.agreement(answers)
            print(f"{label}: max |difference| {diff:.2e} (scaled {scaled:.2e})", file=sys.stderr)
            if diff > worst["max_abs_diff"]:
                worst["case"] = label
            worst["max_abs_diff"] = max(worst["max_abs_diff"], diff)
            worst["max_scaled_diff"] = max(worst["max_scaled_diff"], scaled)
        infos = {b: w.info for b, w in pool.workers.items()}
    finally:
        pool.stop()
    report = {b: {"ok": not failed[b], "seconds": round(seconds[b], 3),
                  "start_seconds": round(infos[b].get("start_seconds", 0.0), 2),
                  "version": infos[b].get("version"), "cases": len(requests) - len(skipped[b]),
                  **({"skipped": skipped[b]} if skipped[b] else {}),
                  **({"failed": failed[b]} if failed[b] else {})}
              for b in pool.workers}
    report.update({b: {"ok": False, "reason": f"{why}; add it with `{INSTALL[b]}`"}
                   for b, why in pool.missing.items()})
    print_json({"backends": report, "max_abs_diff": worst["max_abs_diff"],
                "max_scaled_diff": worst["max_scaled_diff"], "worst_case": worst["case"],
                "cases": len(requests)})
    return 0 if not any(failed.values()) else 1


def bench_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--repeats", type=positive_int, default=20,
                        help="clicks per case, after one warm-up click (default 20)")
    parser.add_argument("--backends", nargs="+", choices=BACKEND_NAMES, default=None,
                        help="which backends (default: all, or $LAB_BACKENDS)")
    parser.add_argument("--app", action="store_true",
                        help="also start the app, open the Backends page as a student would, "
                             "measure the server's memory with its workers running, and check "
                             "that they stop with the server")


BENCH_CASES = (("distance", {"seed": 0}), ("lrn", {"seed": 0}), ("book_lines", {"seed": 0}),
               ("model", {"name": "babi/task1.keras"}),
               ("model", {"name": "dream/squeezenet_v1_1.keras"}), ("dream_step", {}))


def bench(args: argparse.Namespace) -> int:
    """Cold start of each worker, then the page's clicks: medians per case (the click: every
    backend at once, as the page asks; computing: inside each worker), and each worker's
    memory."""
    from core.backends import view
    from core.backends.pool import Pool
    from core.benchmarks.server import rss_mb

    pool = Pool(tuple(args.backends) if args.backends else None)
    started = time.perf_counter()
    try:
        pool.start()
        if not pool.wait_ready():
            print("error: a worker did not start", file=sys.stderr)
            return 1
        start = {b: round(w.info["ready_seconds"], 2) for b, w in pool.workers.items()}
        all_ready = time.perf_counter() - started
        per_case, errors = {}, []
        for case, case_args in BENCH_CASES:
            first = pool.run(case, case_args)  # warm-up: loading, tracing, compiling
            clicks, computing = [], {b: [] for b in pool.workers}
            for _ in range(args.repeats):
                click = time.perf_counter()
                answers = pool.run(case, case_args)
                clicks.append(time.perf_counter() - click)
                for b, answer in answers.items():
                    if answer.ok:
                        computing[b].append(answer.seconds)
                    elif not answer.unsupported:
                        errors.append(f"{b} {case}: {view.note(answer)}")
            per_case[case_args.get("name", case)] = {
                "click_p50_ms": _ms(statistics.median(clicks)),
                "computing_p50_ms": {b: _ms(statistics.median(s)) if s else None
                                     for b, s in computing.items()},
                "first_click_ms": {b: _ms(a.round_trip) for b, a in first.items()}}
        memory = {b: rss_mb([pid]) for b, pid in pool.pids().items()}
    finally:
        pool.stop()
    report = {"backends": list(pool.workers), "missing": list(pool.missing),
              "start_seconds": start, "all_ready_seconds": round(all_ready, 2),
              "cases": per_case, "worker_rss_mb": memory,
              "workers_rss_mb": round(sum(m or 0 for m in memory.values()), 1),
              "repeats": args.repeats, "errors": len(errors), "first_errors": errors[:3]}
    if args.app:
        report["app"] = app_memory(args.backends)
    print_json(report)
    return 1 if errors else 0


def app_memory(backends: list[str] | None, clicks: int = 20, timeout_s: float = 600) -> dict:
    """Start the app, open the Backends page until its workers are ready, click its widgets as
    a student would, measure the server's memory and its workers', stop the server and count
    the workers still running 30 s later."""
    import asyncio
    import os
    from pathlib import Path

    from core.backends.pool import worker_pids
    from core.benchmarks.server import rss_mb, start_server, stop_server

    env = {**os.environ, **({"LAB_BACKENDS": ",".join(backends)} if backends else {})}
    server, base = start_server(env)
    try:
        started = time.perf_counter()
        before = rss_mb([server.pid])
        while not (times := asyncio.run(_page_clicks(base, clicks))):
            if time.perf_counter() - started > timeout_s:
                raise RuntimeError("the Backends page's workers did not start")
            time.sleep(2)
        pids = worker_pids(server.pid)
        workers = {pid: rss_mb([pid]) for pid in pids}
        server_mb = _own_rss_mb(server.pid)
    finally:
        stop_server(server)
    deadline = time.monotonic() + 30
    while any(Path(f"/proc/{pid}").exists() for pid in pids) and time.monotonic() < deadline:
        time.sleep(0.2)
    return {"server_rss_mb_before": before, "server_rss_mb": server_mb,
            "workers_rss_mb": sorted(workers.values()),
            "total_rss_mb": round(server_mb + sum(workers.values()), 1),
            "page_ready_seconds": round(time.perf_counter() - started - sum(times), 1),
            "page_click_p50_ms": _ms(statistics.median(times)),
            "page_click_max_ms": _ms(max(times)), "page_clicks": len(times),
            "workers_left_after_stop": sum(Path(f"/proc/{pid}").exists() for pid in pids)}


async def _page_clicks(base: str, clicks: int) -> list[float]:
    """Open the Backends page as a student; once it shows its sections (not the workers'
    start-up), change `clicks` of its widgets, one at a time: the seconds each took to answer.
    Empty while the workers are still starting."""
    import random

    import websockets

    from core.benchmarks.student import Student

    async with websockets.connect(base.replace("http://", "ws://") + "/_stcore/stream",
                                  subprotocols=["streamlit"], max_size=None,
                                  ping_interval=None) as ws:
        student = Student(ws, random.Random(0))
        await student.rerun()
        await student.visit(next(p for p in student.pages if p.url_pathname == "backends"))
        if not any(w.kind == "button_group" for w in student.widgets.values()):
            return []
        times = []
        while len(times) < clicks:
            clicked = await student.click()
            if clicked is not None:
                times.append(clicked[1])
        return times


def _own_rss_mb(pid: int) -> float:
    from pathlib import Path

    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return round(int(line.split()[1]) / 1024, 1)
    return 0.0


def _ms(seconds: float | None) -> float | None:
    return None if seconds is None else round(1000 * seconds, 1)
