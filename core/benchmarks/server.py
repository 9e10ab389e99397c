"""The app under test: `streamlit run` on a free loopback port, its log, its memory."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def start_server(env: dict | None = None, timeout_s: float = 120,
                 log: Path | None = None) -> tuple[subprocess.Popen, str]:
    """`streamlit run streamlit_app.py` with the project's config; returns once it answers its
    health check (what a supervisor or a load balancer waits for). Its output goes to `log`."""
    port = _free_port()
    out = open(log, "w") if log else subprocess.DEVNULL  # noqa: SIM115 - the child keeps it
    try:
        server = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", "streamlit_app.py",
             "--server.address", "127.0.0.1", "--server.port", str(port),
             "--server.headless", "true", "--browser.gatherUsageStats", "false"],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    finally:
        if log:
            out.close()
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
            time.sleep(0.1)
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
    total = [_smaps(p).get("Rss") for pid in pids or [] for p in (pid, *_children(pid))]
    found = [kb for kb in total if kb is not None]
    return round(sum(found) / 1024, 1) if found else None


def memory_mb(pid: int) -> dict[str, float]:
    """What one process's resident memory is made of (`/proc/PID/smaps_rollup`): anonymous
    memory (the Python heap, TensorFlow's and NumPy's buffers) and file-backed pages (the code
    of the shared libraries, mapped files), in MB."""
    rollup = _smaps(pid)
    if not {"Rss", "Anonymous"} <= rollup.keys():
        return {}
    rss, anonymous = rollup["Rss"], rollup["Anonymous"]
    return {"rss": round(rss / 1024, 1), "anonymous": round(anonymous / 1024, 1),
            "file": round((rss - anonymous) / 1024, 1)}


def _smaps(pid: int) -> dict[str, int]:
    try:
        text = Path(f"/proc/{pid}/smaps_rollup").read_text()
    except OSError:
        return {}
    fields = (line.split() for line in text.splitlines()[1:])
    return {f[0].rstrip(":"): int(f[1]) for f in fields if len(f) >= 2 and f[1].isdigit()}


def _children(pid: int) -> list[int]:
    try:
        kids = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return []
    return [int(k) for k in kids] + [g for k in kids for g in _children(int(k))]
